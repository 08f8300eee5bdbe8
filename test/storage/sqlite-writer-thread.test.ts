// SQLite with telemetry committed on the writer thread (SQLITE_WRITER_THREAD=true): the whole storage
// contract again, the thread's connection settings, and acknowledged points surviving SIGKILL.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openSqliteConnection } from '../../src/storage/sqlite/sqlite-connection.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.ts';
import { T0, allPoints } from './contract/fixture.ts';
import { makeDevice, pt } from './contract/builders.ts';
import { assertAcknowledgedPointsSurviveSigkill } from './sigkill-check.ts';
import { storageContract } from './storage-contract.ts';

function tempFile(): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-sqlite-writer-'));
  return { dir, file: path.join(dir, 'fluxgate.db') };
}

storageContract('sqlite (writer thread)', async () => {
  const { dir, file } = tempFile();
  const storage = new SqliteStorage(file, { writerThread: true });
  return {
    storage,
    openAnother: async () => new SqliteStorage(file, { writerThread: true }),
    cleanup: async () => {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite writer thread', () => {
  it('opens its connections in WAL mode with synchronous=FULL', () => {
    const { dir, file } = tempFile();
    const db = openSqliteConnection(file);
    try {
      assert.strictEqual(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.strictEqual(db.pragma('synchronous', { simple: true }), 2);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails a write it cannot commit, stores nothing of it, and works again afterwards', async () => {
    const { dir, file } = tempFile();
    const storage = new SqliteStorage(file, { writerThread: true });
    try {
      await storage.migrate();
      await makeDevice(storage, { id: 'w1' });
      assert.deepStrictEqual(await storage.writePoints([pt('w1', 'n', T0, 1)]), { inserted: 1, duplicates: 0 });
      const other = openSqliteConnection(file);
      other.exec('ALTER TABLE chunks RENAME TO chunks_away');
      await assert.rejects(storage.writePoints([pt('w1', 'n', T0 + 1, 2)]), /chunks/);
      other.exec('ALTER TABLE chunks_away RENAME TO chunks');
      other.close();
      assert.deepStrictEqual(await storage.writePoints([pt('w1', 'n', T0 + 2, 3)]), { inserted: 1, duplicates: 0 });
      const values = (await allPoints(storage, 'w1', T0, T0 + 10)).map((p) => p.value);
      assert.deepStrictEqual(values, [1, 3]);
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps every point whose write resolved when the process is killed with SIGKILL right after', () =>
    assertAcknowledgedPointsSurviveSigkill({ writerThread: true }));
});

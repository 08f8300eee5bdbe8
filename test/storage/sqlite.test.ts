// The storage contract against SQLite: a real database file in a fresh temporary directory per group.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.ts';
import { assertAcknowledgedPointsSurviveSigkill } from './sigkill-check.ts';
import { type StorageFixture, compactedTelemetryContract, storageContract } from './storage-contract.ts';

function openSqlite(): StorageFixture {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-sqlite-'));
  const file = path.join(dir, 'fluxgate.db');
  const storage = new SqliteStorage(file);
  return {
    storage,
    openAnother: async () => new SqliteStorage(file),
    cleanup: async () => {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

storageContract('sqlite', async () => openSqlite());
compactedTelemetryContract('sqlite', async () => openSqlite());

describe('sqlite durability', () => {
  let fixture: StorageFixture;
  before(async () => {
    fixture = openSqlite();
    await fixture.storage.migrate();
  });
  after(() => fixture.cleanup());

  it('keeps the database file in WAL mode, as a second connection sees it', () => {
    const file = (fixture.storage as SqliteStorage).file;
    const second = new BetterSqlite3(file, { readonly: true });
    try {
      assert.strictEqual(second.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      second.close();
    }
  });

  it('runs its own connection with synchronous=FULL (2), so a commit is on disk', () => {
    // synchronous is per connection: read it from the adapter's own connection.
    const db: unknown = Reflect.get(fixture.storage, 'db');
    assert.ok(db instanceof BetterSqlite3, 'SqliteStorage keeps its better-sqlite3 connection in `db`');
    assert.strictEqual(db.pragma('synchronous', { simple: true }), 2);
    assert.strictEqual(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.strictEqual(db.pragma('foreign_keys', { simple: true }), 1);
  });

  it('keeps every point whose write resolved when the process is killed with SIGKILL right after', () =>
    assertAcknowledgedPointsSurviveSigkill({ writerThread: false }));
});

// Runs fixtures/sqlite-crash-child.ts, which SIGKILLs itself right after its last write resolved,
// then checks that every acknowledged point is in the database, in order.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.ts';
import { T0, allPoints } from './contract/fixture.ts';

export async function assertAcknowledgedPointsSurviveSigkill(options: { writerThread: boolean }): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-crash-'));
  const file = path.join(dir, 'fluxgate.db');
  try {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./fixtures/sqlite-crash-child.ts', import.meta.url)), file, ...(options.writerThread ? ['writer-thread'] : [])],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    assert.strictEqual(signal, 'SIGKILL');
    assert.match(out, /^acknowledged (\d+)\n$/);
    const acknowledged = Number(/(\d+)/.exec(out)![1]);
    const storage = new SqliteStorage(file);
    try {
      const points = await allPoints(storage, 'crash-device', T0, T0 + 3_600_000);
      assert.strictEqual(points.length, acknowledged);
      assert.deepStrictEqual(
        points.map((p) => p.value),
        Array.from({ length: acknowledged }, (_, i) => i),
      );
    } finally {
      await storage.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

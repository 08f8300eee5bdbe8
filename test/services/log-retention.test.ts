// LogRetention against a real SQLite database: cutoffs, "forever", sequential sweeps, errors reported.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { NewLogEntry } from '../../src/domain/device-log.ts';
import { LogRetention } from '../../src/services/log-retention.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const line = (ts: number, message: string): NewLogEntry => ({ deviceId: 'd', ts, level: 'info', message, source: null });

describe('LogRetention', () => {
  let dir: string;
  let storage: SqliteStorage;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-retention-'));
    storage = new SqliteStorage(path.join(dir, 'fluxgate.db'));
    await storage.migrate();
    await storage.appendLogs([line(NOW - 10 * DAY, 'ten'), line(NOW - 3 * DAY, 'three'), line(NOW - DAY, 'one'), line(NOW, 'now')]);
  });
  after(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const remaining = async () =>
    (await storage.queryLogs({ deviceId: 'd', start: 0, end: NOW + 1, order: 'asc', limit: 100 })).map((e) => e.message);

  it('keeps everything when the retention is 0 days', async () => {
    const forever = new LogRetention(storage, 0, 1000, () => assert.fail('no error expected'));
    assert.strictEqual(await forever.sweep(NOW + 1000 * DAY), 0);
    assert.deepStrictEqual(await remaining(), ['ten', 'three', 'one', 'now']);
  });

  it('runs concurrent sweeps one after another, each with its own cutoff', async () => {
    const swept: number[] = [];
    const retention = new LogRetention(storage, 2, 1000, () => assert.fail('no error expected'), (n) => swept.push(n));
    const [first, second] = await Promise.all([retention.sweep(NOW - 2 * DAY), retention.sweep(NOW)]);
    assert.deepStrictEqual([first, second, swept], [1, 1, [1, 1]]);
    assert.deepStrictEqual(await remaining(), ['one', 'now']);
  });

  it('reports a failing sweep to onError and resolves with 0', async () => {
    const broken = new SqliteStorage(path.join(dir, 'other.db'));
    await broken.close();
    const errors: unknown[] = [];
    const retention = new LogRetention(broken, 1, 1000, (err) => errors.push(err));
    assert.strictEqual(await retention.sweep(NOW), 0);
    assert.strictEqual(errors.length, 1);
    assert.match((errors[0] as Error).message, /not open/);
  });
});

// Compaction of a day still open (SQLite, a real file): group-commit chunks are gathered into merged
// chunks of at most OPEN_CHUNK_POINTS, never re-encoding the whole day, and every answer is the same
// before and after.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import type { Point } from '../../src/domain/telemetry.ts';
import { windowStart } from '../../src/storage/chunks/chunk-layout.ts';
import { OPEN_CHUNK_POINTS } from '../../src/storage/chunks/compaction-plan.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.ts';
import { expectedRollups, makeDevice, pt } from './contract/fixture.ts';

describe('compaction of the open day (SQLite)', () => {
  let dir: string;
  let storage: SqliteStorage;
  let levels: () => Array<{ level: number; count: number }>;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-compaction-'));
    storage = new SqliteStorage(path.join(dir, 'fluxgate.db'), { writerThread: true, compactEveryMs: 0 });
    await storage.migrate();
    levels = () => {
      const db = new BetterSqlite3(storage.file, { readonly: true });
      try {
        return db.prepare('SELECT level, count FROM chunks ORDER BY start_ts').all() as Array<{ level: number; count: number }>;
      } finally {
        db.close();
      }
    };
  });
  after(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gathers group-commit chunks into merged chunks of the open day, answering the same', async () => {
    const d = await makeDevice(storage);
    // Timestamps inside today's window, up to now (whatever time of day the suite runs).
    const now = Date.now();
    const from = Math.max(windowStart(now), now - 60_000);
    const total = OPEN_CHUNK_POINTS + 250;
    const step = Math.max(1, Math.floor((now - from) / total));
    const points: Point[] = Array.from({ length: total }, (_, i) => pt(d.id, 'power', now - (total - i) * step, i % 7 === 0 ? -i / 4 : i));
    const read = () => storage.queryPoints({ deviceId: d.id, start: 0, end: now + 1, order: 'asc', limit: 10 * total });
    const minutes = () => storage.readRollups({ deviceId: d.id, field: 'power', granularity: 'minute', start: 0, end: now + 1 });

    // Twenty group commits, then a pass: one merged chunk of the open day.
    for (let b = 0; b < 20; b++) await storage.writePoints(points.slice(b * 50, (b + 1) * 50));
    assert.strictEqual(levels().length, 20);
    await storage.compact();
    assert.deepStrictEqual(levels(), [{ level: 1, count: OPEN_CHUNK_POINTS }]);

    // More commits: the merged chunk is full, so they become a second one; nothing is final yet.
    for (let b = 20; b * 50 < total; b++) await storage.writePoints(points.slice(b * 50, (b + 1) * 50));
    const before = { points: await read(), minutes: await minutes() };
    await storage.compact();
    assert.deepStrictEqual(levels(), [
      { level: 1, count: OPEN_CHUNK_POINTS },
      { level: 1, count: total - OPEN_CHUNK_POINTS },
    ]);
    assert.deepStrictEqual(await read(), points);
    assert.deepStrictEqual(await read(), before.points);
    assert.deepStrictEqual(await minutes(), expectedRollups(points, d.id, 'power', 'minute'));
    assert.deepStrictEqual(await minutes(), before.minutes);

    // A late point and a duplicate in the merged range.
    const late = pt(d.id, 'power', points[0]!.ts + 1, 0.5);
    assert.deepStrictEqual(await storage.writePoints([late, pt(d.id, 'power', points[3]!.ts, 99)]), { inserted: 1, duplicates: 1 });
    await storage.compact();
    assert.deepStrictEqual(await read(), [points[0]!, late, ...points.slice(1)]);
    assert.strictEqual(levels().reduce((n, c) => n + c.count, 0), total + 1);
  });
});

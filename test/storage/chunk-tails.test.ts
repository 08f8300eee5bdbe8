// Small group commits extend the series' last level-0 chunk in place (src/storage/sqlite/chunk-tails.ts)
// instead of adding a row each. The rows are fewer; what every query answers is the same; a tail that
// compaction merged, a delete cut or a rolled-back transaction left behind is never extended.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import type { Point } from '../../src/domain/telemetry.ts';
import { windowStart } from '../../src/storage/chunks/chunk-layout.ts';
import { TAIL_POINTS } from '../../src/storage/sqlite/chunk-tails.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.ts';
import { expectedRollups, makeDevice, pt } from './contract/fixture.ts';

for (const writerThread of [false, true]) {
  describe(`chunk tails (SQLite${writerThread ? ', writer thread' : ''})`, () => {
    let dir: string;
    let storage: SqliteStorage;
    const rows = (deviceId: string) => {
      const db = new BetterSqlite3(storage.file, { readonly: true });
      try {
        return db.prepare('SELECT level, count FROM chunks WHERE device_id = ? ORDER BY start_ts').all(deviceId) as Array<{ level: number; count: number }>;
      } finally {
        db.close();
      }
    };
    // Inside today's window, up to now, whatever time of day the suite runs.
    const now = Date.now();
    const from = Math.max(windowStart(now), now - 60_000);
    const series = (deviceId: string, n: number, field = 'power'): Point[] => {
      const step = Math.max(1, Math.floor((now - from) / (n + 1)));
      return Array.from({ length: n }, (_, i) => pt(deviceId, field, now - (n - i) * step, i % 3 === 0 ? i / 4 : i));
    };
    const read = (deviceId: string, order: 'asc' | 'desc' = 'asc') => storage.queryPoints({ deviceId, start: 0, end: now + 1, order, limit: 100_000 });

    before(async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-tails-'));
      storage = new SqliteStorage(path.join(dir, 'fluxgate.db'), { writerThread, compactEveryMs: 0 });
      await storage.migrate();
    });
    after(async () => {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('one-point commits fill a row up to TAIL_POINTS before starting the next, answering the same', async () => {
      const d = await makeDevice(storage);
      const points = series(d.id, 2 * TAIL_POINTS + 5);
      for (const p of points) await storage.writePoints([p]);
      assert.deepStrictEqual(rows(d.id), [
        { level: 0, count: TAIL_POINTS },
        { level: 0, count: TAIL_POINTS },
        { level: 0, count: 5 },
      ]);
      assert.deepStrictEqual(await read(d.id), points);
      assert.deepStrictEqual(await read(d.id, 'desc'), [...points].reverse());
      const minutes = await storage.readRollups({ deviceId: d.id, field: 'power', granularity: 'minute', start: 0, end: now + 1 });
      assert.deepStrictEqual(minutes, expectedRollups(points, d.id, 'power', 'minute'));
      // First write wins against points held in a tail.
      assert.deepStrictEqual(await storage.writePoints([pt(d.id, 'power', points[40]!.ts, -1)]), { inserted: 0, duplicates: 1 });
      assert.deepStrictEqual(await read(d.id), points);
    });

    it('starts a new row after compaction merged the tail, and after a delete cut it', async () => {
      const d = await makeDevice(storage);
      const points = series(d.id, 30);
      for (const p of points.slice(0, 10)) await storage.writePoints([p]);
      await storage.compact();
      assert.deepStrictEqual(rows(d.id), [{ level: 1, count: 10 }]);
      for (const p of points.slice(10, 20)) await storage.writePoints([p]);
      assert.deepStrictEqual(rows(d.id), [
        { level: 1, count: 10 },
        { level: 0, count: 10 },
      ]);
      // Cut points 12..14 out of the tail; the next point must not bring them back.
      await storage.deletePoints(d.id, points[12]!.ts, points[15]!.ts);
      for (const p of points.slice(20)) await storage.writePoints([p]);
      const kept = [...points.slice(0, 12), ...points.slice(15)];
      assert.deepStrictEqual(await read(d.id), kept);
      await storage.compact();
      assert.deepStrictEqual(await read(d.id), kept);
    });

    it('a commit that fails leaves no tail behind it', async () => {
      const d = await makeDevice(storage);
      const points = series(d.id, 6);
      await storage.writePoints([points[0]!]);
      // A value the codec refuses fails the whole transaction after the first series was written.
      const bad = { ...pt(d.id, 'zzz', points[1]!.ts, 1), value: { not: 'a value' } } as unknown as Point;
      await assert.rejects(storage.writePoints([points[1]!, bad]));
      for (const p of points.slice(2)) await storage.writePoints([p]);
      assert.deepStrictEqual(await read(d.id), [points[0]!, ...points.slice(2)]);
      await storage.writePoints([points[1]!]);
      assert.deepStrictEqual(await read(d.id), points);
    });
  });
}

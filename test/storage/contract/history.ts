// Contract: reading history back — point queries with keyset cursors, rollup ranges, deleting ranges.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Point } from '../../../src/domain/telemetry.ts';
import type { PointQuery, Storage } from '../../../src/storage/storage.ts';
import { HOUR, MINUTE, T0, type OpenStorage, allPoints, expectedRollups, freshDatabase, makeDevice, pt, sorted } from './fixture.ts';

/** Follows the cursor page by page, the way an API client does, until a short page. */
async function walk(storage: Storage, query: Omit<PointQuery, 'after'>): Promise<Point[]> {
  const out: Point[] = [];
  let after: PointQuery['after'];
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await storage.queryPoints(after ? { ...query, after } : query);
    assert.ok(page.length <= query.limit, `page of ${page.length} exceeds limit ${query.limit}`);
    out.push(...page);
    if (page.length < query.limit) return out;
    const last = page[page.length - 1]!;
    after = { ts: last.ts, field: last.field };
  }
  throw new Error('the cursor never reached the end');
}

export function queryContract(open: OpenStorage): void {
  describe('queryPoints', () => {
    const db = freshDatabase(open);
    const start = T0;
    const end = T0 + 12_000;
    let deviceId = '';
    let inRange: Point[] = [];

    it('stores a history with several fields sharing timestamps', async () => {
      deviceId = (await makeDevice(db.storage)).id;
      const points: Point[] = [];
      for (let k = 0; k < 12; k++) {
        const ts = T0 + k * 1000;
        points.push(pt(deviceId, 'a', ts, k));
        if (k % 2 === 0) points.push(pt(deviceId, 'b', ts, k * 1.5));
        if (k % 3 === 0) points.push(pt(deviceId, 'c', ts, k % 2 === 0));
        if (k % 4 === 0) points.push(pt(deviceId, 'Z', ts, `z${k}`));
      }
      inRange = sorted(points);
      const outside = [pt(deviceId, 'a', start - 1, -1), pt(deviceId, 'a', end, 12), pt(deviceId, 'b', end, 18), pt(deviceId, 'Z', end + 1, 'late')];
      // Written newest first, in two batches, so storage order is not query order.
      await db.storage.writePoints([...outside, ...points.slice(20)].reverse());
      await db.storage.writePoints(points.slice(0, 20).reverse());
      assert.strictEqual(inRange.length, 25);
    });

    it('returns [start, end) in ascending or descending order', async () => {
      assert.deepStrictEqual(await db.storage.queryPoints({ deviceId, start, end, order: 'asc', limit: 1000 }), inRange);
      assert.deepStrictEqual(await db.storage.queryPoints({ deviceId, start, end, order: 'desc', limit: 1000 }), sorted(inRange, 'desc'));
      const mid = { start: T0 + 3000, end: T0 + 6000 };
      assert.deepStrictEqual(
        await db.storage.queryPoints({ deviceId, ...mid, order: 'asc', limit: 1000 }),
        inRange.filter((p) => p.ts >= mid.start && p.ts < mid.end),
      );
      assert.deepStrictEqual(await db.storage.queryPoints({ deviceId, start: end, end: end + 1, order: 'asc', limit: 10 }), [
        pt(deviceId, 'a', end, 12),
        pt(deviceId, 'b', end, 18),
      ]);
      assert.deepStrictEqual(await db.storage.queryPoints({ deviceId, start, end: start, order: 'asc', limit: 10 }), []);
      assert.deepStrictEqual(await db.storage.queryPoints({ deviceId: 'no-such-device', start, end, order: 'asc', limit: 10 }), []);
    });

    it('filters fields and applies the limit', async () => {
      const ac = inRange.filter((p) => p.field === 'a' || p.field === 'c');
      assert.deepStrictEqual(await db.storage.queryPoints({ deviceId, start, end, fields: ['c', 'a'], order: 'asc', limit: 1000 }), ac);
      assert.deepStrictEqual(
        await db.storage.queryPoints({ deviceId, start, end, fields: ['c', 'a'], order: 'desc', limit: 1000 }),
        [...ac].reverse(),
      );
      assert.deepStrictEqual(await db.storage.queryPoints({ deviceId, start, end, fields: ['a', 'c', 'a'], order: 'asc', limit: 1000 }), ac);
      assert.deepStrictEqual(await db.storage.queryPoints({ deviceId, start, end, fields: ['missing'], order: 'asc', limit: 10 }), []);
      assert.deepStrictEqual(await db.storage.queryPoints({ deviceId, start, end, order: 'asc', limit: 5 }), inRange.slice(0, 5));
      assert.deepStrictEqual(await db.storage.queryPoints({ deviceId, start, end, order: 'desc', limit: 5 }), sorted(inRange, 'desc').slice(0, 5));
      assert.deepStrictEqual(await db.storage.queryPoints({ deviceId, start, end, fields: ['b'], order: 'desc', limit: 2 }), [
        pt(deviceId, 'b', T0 + 10_000, 15),
        pt(deviceId, 'b', T0 + 8000, 12),
      ]);
    });

    it('continues strictly after the cursor (ts, field) in the order of the query', async () => {
      const cursor = { ts: T0 + 6000, field: 'b' };
      assert.deepStrictEqual(
        await db.storage.queryPoints({ deviceId, start, end, order: 'asc', limit: 1000, after: cursor }),
        inRange.filter((p) => p.ts > cursor.ts || (p.ts === cursor.ts && p.field > cursor.field)),
      );
      assert.deepStrictEqual(
        await db.storage.queryPoints({ deviceId, start, end, order: 'desc', limit: 1000, after: cursor }),
        sorted(inRange, 'desc').filter((p) => p.ts < cursor.ts || (p.ts === cursor.ts && p.field < cursor.field)),
      );
    });

    it('walks every point exactly once, page by page, in both orders', async () => {
      for (const order of ['asc', 'desc'] as const) {
        for (const fields of [undefined, ['a', 'c'], ['Z']]) {
          const expected = sorted(fields ? inRange.filter((p) => fields.includes(p.field)) : inRange, order);
          for (const limit of [1, 2, 3, 4, 5, 7, 25, 100]) {
            const got = await walk(db.storage, { deviceId, start, end, order, limit, ...(fields ? { fields } : {}) });
            assert.deepStrictEqual(got, expected, `order=${order} fields=${fields?.join(',') ?? 'all'} limit=${limit}`);
          }
        }
      }
    });

    it('never leaves [start, end), even with a cursor outside it', async () => {
      assert.deepStrictEqual(
        await db.storage.queryPoints({ deviceId, start, end, order: 'desc', limit: 1000, after: { ts: end + 5000, field: 'a' } }),
        sorted(inRange, 'desc'),
      );
      assert.deepStrictEqual(
        await db.storage.queryPoints({ deviceId, start, end, order: 'asc', limit: 1000, after: { ts: start - 5000, field: 'a' } }),
        inRange,
      );
    });
  });
}

export function rollupReadContract(open: OpenStorage): void {
  describe('readRollups and rollupBefore', () => {
    const db = freshDatabase(open);
    let deviceId = '';
    let points: Point[] = [];

    it('stores points over three hours', async () => {
      deviceId = (await makeDevice(db.storage)).id;
      points = [];
      for (const h of [0, 1, 2]) {
        for (const m of [0, 1, 30, 59]) points.push(pt(deviceId, 'energy', T0 + h * HOUR + m * MINUTE + 5000, h * 100 + m));
      }
      points.push(pt(deviceId, 'other', T0 + 10 * HOUR, 1));
      await db.storage.writePoints(points);
    });

    it('readRollups returns the buckets starting in [start, end), oldest first', async () => {
      const minutes = expectedRollups(points, deviceId, 'energy', 'minute');
      const hours = expectedRollups(points, deviceId, 'energy', 'hour');
      const read = (granularity: 'minute' | 'hour', start: number, end: number) =>
        db.storage.readRollups({ deviceId, field: 'energy', granularity, start, end });
      assert.strictEqual(minutes.length, 12);
      assert.deepStrictEqual(await read('minute', T0, T0 + 3 * HOUR), minutes);
      assert.deepStrictEqual(await read('minute', T0 + 1, T0 + 30 * MINUTE + 1), minutes.slice(1, 3));
      assert.deepStrictEqual(await read('minute', T0 + MINUTE, T0 + 30 * MINUTE), minutes.slice(1, 2));
      assert.deepStrictEqual(await read('hour', T0, T0 + 2 * HOUR), hours.slice(0, 2));
      assert.deepStrictEqual(await read('hour', T0 + 1, T0 + 2 * HOUR + 1), hours.slice(1, 3));
      assert.deepStrictEqual(hours[1], {
        bucket: T0 + HOUR,
        count: 4,
        sum: 490,
        min: 100,
        max: 159,
        firstTs: T0 + HOUR + 5000,
        first: 100,
        lastTs: T0 + HOUR + 59 * MINUTE + 5000,
        last: 159,
      });
      assert.deepStrictEqual(await read('hour', T0 + 3 * HOUR, T0 + 9 * HOUR), []);
      assert.deepStrictEqual(await db.storage.readRollups({ deviceId, field: 'missing', granularity: 'hour', start: 0, end: T0 * 2 }), []);
    });

    it('rollupBefore gives the newest bucket starting before the given time', async () => {
      const minutes = expectedRollups(points, deviceId, 'energy', 'minute');
      const hours = expectedRollups(points, deviceId, 'energy', 'hour');
      assert.deepStrictEqual(await db.storage.rollupBefore(deviceId, 'energy', 'hour', T0 + 2 * HOUR), hours[1]);
      assert.deepStrictEqual(await db.storage.rollupBefore(deviceId, 'energy', 'hour', T0 + 2 * HOUR + 1), hours[2]);
      assert.deepStrictEqual(await db.storage.rollupBefore(deviceId, 'energy', 'hour', T0 + 1), hours[0]);
      assert.deepStrictEqual(await db.storage.rollupBefore(deviceId, 'energy', 'hour', T0 + 100 * HOUR), hours[2]);
      assert.strictEqual(await db.storage.rollupBefore(deviceId, 'energy', 'hour', T0), undefined);
      assert.deepStrictEqual(await db.storage.rollupBefore(deviceId, 'energy', 'minute', T0 + 30 * MINUTE), minutes[1]);
      assert.deepStrictEqual(await db.storage.rollupBefore(deviceId, 'energy', 'minute', T0 + HOUR), minutes[3]);
      assert.strictEqual(await db.storage.rollupBefore(deviceId, 'missing', 'minute', T0 + HOUR), undefined);
      assert.strictEqual(await db.storage.rollupBefore('no-such-device', 'energy', 'hour', T0 + HOUR), undefined);
    });
  });
}

export function deleteContract(open: OpenStorage): void {
  describe('deletePoints', () => {
    const db = freshDatabase(open);
    const wide = { start: T0 - 10 * HOUR, end: T0 + 10 * HOUR };

    function history(deviceId: string): Point[] {
      const points: Point[] = [];
      for (let t = T0 - 30 * MINUTE; t < T0 + 3 * HOUR; t += 7 * MINUTE + 13_000) points.push(pt(deviceId, 'p', t, (t - T0) / 1000));
      for (let t = T0 - 25 * MINUTE, i = 0; t < T0 + 3 * HOUR; t += 11 * MINUTE, i++) points.push(pt(deviceId, 'q', t, i % 3 === 0));
      for (let t = T0 - 20 * MINUTE; t < T0 + 3 * HOUR; t += 20 * MINUTE) points.push(pt(deviceId, 's', t, `s@${t}`));
      return points;
    }

    async function assertConsistent(deviceId: string, remaining: readonly Point[]): Promise<void> {
      assert.deepStrictEqual(await allPoints(db.storage, deviceId, wide.start, wide.end), sorted(remaining));
      for (const field of ['p', 'q', 's']) {
        for (const granularity of ['minute', 'hour'] as const) {
          assert.deepStrictEqual(
            await db.storage.readRollups({ deviceId, field, granularity, ...wide }),
            expectedRollups(remaining, deviceId, field, granularity),
            `${field} ${granularity} rollups`,
          );
        }
      }
    }

    it('deletes exactly [start, end) across hour edges and rebuilds the rollups it touched', async () => {
      const d = await makeDevice(db.storage);
      const bystander = await makeDevice(db.storage);
      let remaining = history(d.id);
      const others = history(bystander.id);
      await db.storage.writePoints([...remaining, ...others]);

      const cut = { start: T0 + 17 * MINUTE + 30_000, end: T0 + HOUR + 42 * MINUTE + 10_000 };
      const inCut = (p: Point) => p.ts >= cut.start && p.ts < cut.end;
      const expectedCount = remaining.filter(inCut).length;
      assert.ok(expectedCount > 10, `the cut holds ${expectedCount} points`);
      assert.strictEqual(await db.storage.deletePoints(d.id, cut.start, cut.end), expectedCount);
      remaining = remaining.filter((p) => !inCut(p));
      await assertConsistent(d.id, remaining);
      await assertConsistent(bystander.id, others);

      // A range holding exactly one point, inside a minute.
      const victim = remaining.find((p) => p.field === 'p' && p.ts > T0 + 2 * HOUR)!;
      assert.strictEqual(await db.storage.deletePoints(d.id, victim.ts, victim.ts + 1), 1);
      remaining = remaining.filter((p) => p !== victim);
      await assertConsistent(d.id, remaining);

      // Nothing in range: nothing changes.
      assert.strictEqual(await db.storage.deletePoints(d.id, cut.start, cut.end), 0);
      assert.strictEqual(await db.storage.deletePoints(d.id, T0 + 5 * HOUR + 1, T0 + 5 * HOUR + 2), 0);
      await assertConsistent(d.id, remaining);

      // Later writes still add to the rebuilt rollups.
      const late = [pt(d.id, 'p', T0 + 20 * MINUTE, 1000), pt(d.id, 'p', cut.start - 1, -5)];
      await db.storage.writePoints(late);
      remaining = [...remaining, ...late];
      await assertConsistent(d.id, remaining);

      // Everything, then the device has no history left.
      assert.strictEqual(await db.storage.deletePoints(d.id, wide.start, wide.end), remaining.length);
      await assertConsistent(d.id, []);
      await assertConsistent(bystander.id, others);
    });
  });
}

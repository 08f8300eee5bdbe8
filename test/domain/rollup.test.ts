import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Acc, type BatchRollup, accOf, bucketIndex, finishAcc, mergeAcc, rollupBatch, rollupValue } from '../../src/domain/rollup.ts';
import type { Point } from '../../src/domain/telemetry.ts';
import { HOUR, MINUTE, bucketEdges, parseWindow } from '../../src/domain/time.ts';

const T0 = Date.UTC(2026, 0, 15, 10, 0, 0);
const pt = (deviceId: string, field: string, ts: number, value: Point['value']): Point => ({ deviceId, field, ts, value, meta: null });

function fold(values: Array<[ts: number, v: number]>): Acc {
  const [head, ...rest] = values;
  return rest.reduce((acc, [ts, v]) => mergeAcc(acc, accOf(ts, v)), accOf(head![0], head![1]));
}

describe('accOf and mergeAcc', () => {
  it('starts an accumulator from one value', () => {
    assert.deepStrictEqual(accOf(T0, 4.5), { count: 1, sum: 4.5, min: 4.5, max: 4.5, firstTs: T0, first: 4.5, lastTs: T0, last: 4.5 });
  });

  it('folds count, sum, min, max, and first/last by time, not by arrival', () => {
    const expected = { count: 4, sum: 10, min: -2, max: 9, firstTs: T0, first: 1, lastTs: T0 + 3000, last: 2 };
    assert.deepStrictEqual(fold([[T0 + 1000, 9], [T0 + 3000, 2], [T0, 1], [T0 + 2000, -2]]), expected);
    assert.deepStrictEqual(fold([[T0, 1], [T0 + 1000, 9], [T0 + 2000, -2], [T0 + 3000, 2]]), expected);
    assert.deepStrictEqual(fold([[T0 + 3000, 2], [T0 + 2000, -2], [T0 + 1000, 9], [T0, 1]]), expected);
  });

  it('merges whole accumulators and returns the first, changed in place', () => {
    const a = fold([[T0 + 5000, 3], [T0 + 6000, 4]]);
    const b = fold([[T0, 10], [T0 + 9000, -1]]);
    const merged = mergeAcc(a, b);
    assert.strictEqual(merged, a);
    assert.deepStrictEqual(merged, { count: 4, sum: 16, min: -1, max: 10, firstTs: T0, first: 10, lastTs: T0 + 9000, last: -1 });
    assert.deepStrictEqual(b, { count: 2, sum: 9, min: -1, max: 10, firstTs: T0, first: 10, lastTs: T0 + 9000, last: -1 });
  });
});

describe('finishAcc', () => {
  const acc = fold([[T0, 4], [T0 + 1000, 8], [T0 + 2000, 0]]);

  it('gives each aggregation of an accumulator', () => {
    assert.strictEqual(finishAcc(acc, 'mean'), 4);
    assert.strictEqual(finishAcc(acc, 'min'), 0);
    assert.strictEqual(finishAcc(acc, 'max'), 8);
    assert.strictEqual(finishAcc(acc, 'sum'), 12);
    assert.strictEqual(finishAcc(acc, 'count'), 3);
    assert.strictEqual(finishAcc(acc, 'first'), 4);
    assert.strictEqual(finishAcc(acc, 'last'), 0);
  });

  it('gives 0 for count and sum of an empty bucket and null for the rest', () => {
    const empty: Acc = { count: 0, sum: 0, min: 0, max: 0, firstTs: 0, first: 0, lastTs: 0, last: 0 };
    for (const source of [undefined, empty]) {
      assert.strictEqual(finishAcc(source, 'count'), 0);
      assert.strictEqual(finishAcc(source, 'sum'), 0);
      for (const agg of ['mean', 'min', 'max', 'first', 'last'] as const) assert.strictEqual(finishAcc(source, agg), null, agg);
    }
  });
});

describe('rollupValue', () => {
  it('is the number, 1/0 for booleans and null for text', () => {
    assert.strictEqual(rollupValue(pt('d', 'f', T0, -2.5)), -2.5);
    assert.strictEqual(rollupValue(pt('d', 'f', T0, true)), 1);
    assert.strictEqual(rollupValue(pt('d', 'f', T0, false)), 0);
    assert.strictEqual(rollupValue(pt('d', 'f', T0, '12')), null);
  });
});

describe('rollupBatch', () => {
  const points = [
    pt('d1', 'power', T0 + 59_999, 2),
    pt('d1', 'power', T0, 4),
    pt('d1', 'power', T0 + MINUTE, 6),
    pt('d1', 'power', T0 + HOUR, 1),
    pt('d1', 'on', T0 + 1000, true),
    pt('d1', 'on', T0 + 2000, false),
    pt('d1', 'mode', T0, 'eco'),
    pt('d2', 'power', T0 + 30_000, 8),
  ];
  const byKey = (rows: BatchRollup[]) =>
    [...rows].sort((a, b) => a.deviceId.localeCompare(b.deviceId) || a.field.localeCompare(b.field) || a.bucket - b.bucket);
  const row = (deviceId: string, field: string, bucket: number, values: Array<[number, number]>): BatchRollup => ({
    deviceId,
    field,
    bucket,
    ...fold(values),
  });

  it('pre-aggregates per device, field and minute, booleans as 0/1, strings left out', () => {
    assert.deepStrictEqual(byKey(rollupBatch(points, 'minute')), [
      row('d1', 'on', T0, [[T0 + 1000, 1], [T0 + 2000, 0]]),
      row('d1', 'power', T0, [[T0, 4], [T0 + 59_999, 2]]),
      row('d1', 'power', T0 + MINUTE, [[T0 + MINUTE, 6]]),
      row('d1', 'power', T0 + HOUR, [[T0 + HOUR, 1]]),
      row('d2', 'power', T0, [[T0 + 30_000, 8]]),
    ]);
  });

  it('pre-aggregates per hour', () => {
    assert.deepStrictEqual(byKey(rollupBatch(points, 'hour')), [
      row('d1', 'on', T0, [[T0 + 1000, 1], [T0 + 2000, 0]]),
      row('d1', 'power', T0, [[T0, 4], [T0 + 59_999, 2], [T0 + MINUTE, 6]]),
      row('d1', 'power', T0 + HOUR, [[T0 + HOUR, 1]]),
      row('d2', 'power', T0, [[T0 + 30_000, 8]]),
    ]);
    assert.deepStrictEqual(rollupBatch([], 'hour'), []);
    assert.deepStrictEqual(rollupBatch([pt('d', 'text', T0, 'x')], 'minute'), []);
  });
});

describe('bucketIndex', () => {
  it('finds the bucket holding t, or -1 outside the edges', () => {
    const edges = [0, 10, 20, 30];
    const cases: Array<[number, number]> = [[-1, -1], [0, 0], [9, 0], [10, 1], [19.5, 1], [20, 2], [29, 2], [30, -1], [99, -1]];
    for (const [t, expected] of cases) assert.strictEqual(bucketIndex(edges, t), expected, `t=${t}`);
  });

  it('handles one bucket and no buckets', () => {
    assert.strictEqual(bucketIndex([5, 15], 5), 0);
    assert.strictEqual(bucketIndex([5, 15], 14), 0);
    assert.strictEqual(bucketIndex([5, 15], 15), -1);
    assert.strictEqual(bucketIndex([5], 5), -1);
    assert.strictEqual(bucketIndex([], 5), -1);
  });

  it('works on uneven calendar buckets such as the 23-hour DST day', () => {
    const edges = bucketEdges(Date.parse('2026-03-28T23:00:00Z'), Date.parse('2026-03-30T22:00:00Z'), parseWindow('1d'), 'Europe/Berlin');
    assert.strictEqual(bucketIndex(edges, Date.parse('2026-03-29T21:59:59.999Z')), 0);
    assert.strictEqual(bucketIndex(edges, Date.parse('2026-03-29T22:00:00Z')), 1);
    assert.strictEqual(bucketIndex(edges, Date.parse('2026-03-28T22:59:59.999Z')), -1);
  });
});

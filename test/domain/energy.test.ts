import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { counterIncrements, intervalIncrements } from '../../src/domain/energy.ts';
import type { RollupRow } from '../../src/domain/rollup.ts';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 15, 0, 0, 0);

/** The rollup of one hour bucket holding these counter readings, in time order. */
function hour(index: number, readings: number[]): RollupRow {
  const bucket = T0 + index * H;
  return {
    bucket,
    count: readings.length,
    sum: readings.reduce((a, b) => a + b, 0),
    min: Math.min(...readings),
    max: Math.max(...readings),
    firstTs: bucket,
    first: readings[0]!,
    lastTs: bucket + (readings.length - 1) * 60_000,
    last: readings[readings.length - 1]!,
  };
}

describe('counterIncrements', () => {
  it('counts within each bucket and across the gap between buckets', () => {
    const rows = [hour(0, [100, 104, 110]), hour(1, [112, 118, 120]), hour(2, [120, 125])];
    assert.deepStrictEqual(counterIncrements(rows), [
      { bucket: T0, value: 10 },
      { bucket: T0 + H, value: 10 },
      { bucket: T0 + 2 * H, value: 5 },
    ]);
  });

  it('counts from the bucket before the range when given', () => {
    assert.deepStrictEqual(counterIncrements([hour(1, [100, 110])], hour(0, [80, 95])), [{ bucket: T0 + H, value: 15 }]);
  });

  it('takes a drop between buckets as a reset to zero', () => {
    const rows = [hour(0, [100, 110]), hour(1, [3, 8])];
    assert.deepStrictEqual(counterIncrements(rows), [
      { bucket: T0, value: 10 },
      { bucket: T0 + H, value: 8 },
    ]);
    assert.deepStrictEqual(counterIncrements([hour(1, [2, 10])], hour(0, [400, 500])), [{ bucket: T0 + H, value: 10 }]);
  });

  it('takes a drop inside a bucket as a reset to zero: up to the peak, then from zero', () => {
    const rows = [hour(0, [100, 110, 0, 4]), hour(1, [6, 9])];
    assert.deepStrictEqual(counterIncrements(rows), [
      { bucket: T0, value: 14 },
      { bucket: T0 + H, value: 5 },
    ]);
  });

  it('gives zero for a flat counter and nothing for no buckets', () => {
    assert.deepStrictEqual(counterIncrements([hour(0, [50, 50]), hour(1, [50])]), [
      { bucket: T0, value: 0 },
      { bucket: T0 + H, value: 0 },
    ]);
    assert.deepStrictEqual(counterIncrements([]), []);
    assert.deepStrictEqual(counterIncrements([], hour(0, [1])), []);
  });
});

describe('intervalIncrements', () => {
  it('is the sum of each bucket', () => {
    assert.deepStrictEqual(intervalIncrements([hour(0, [0.5, 1.5, 2]), hour(3, [4])]), [
      { bucket: T0, value: 4 },
      { bucket: T0 + 3 * H, value: 4 },
    ]);
    assert.deepStrictEqual(intervalIncrements([]), []);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartWindow, minMaxDownsample } from '../../src/domain/downsample.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('chartWindow', () => {
  it('reads raw points when the range is short for the width', () => {
    assert.equal(chartWindow(0, 15 * 60_000, 1000), undefined);
    assert.equal(chartWindow(0, HOUR, 1000), undefined);
  });
  it('picks the smallest window that fits in maxPoints buckets', () => {
    assert.equal(chartWindow(0, DAY, 1000), '2m'); // 86.4 s per pixel
    assert.equal(chartWindow(0, 7 * DAY, 1000), '15m'); // 604.8 s
    assert.equal(chartWindow(0, 30 * DAY, 1000), '1h'); // 2592 s
    assert.equal(chartWindow(0, 30 * DAY, 100), '12h');
    assert.equal(chartWindow(0, 365 * DAY, 100), '12h');
  });
});

describe('minMaxDownsample', () => {
  it('keeps short series as they are', () => {
    const pts = [{ ts: 0, value: 1 }, { ts: 1, value: 2 }];
    assert.deepEqual(minMaxDownsample(pts, 10, 0, 2), pts);
  });

  it('reduces 100,000 points to at most maxPoints, keeping every slot extreme in time order', () => {
    const n = 100_000;
    const pts = Array.from({ length: n }, (_, i) => ({ ts: i, value: Math.sin(i / 500) }));
    pts[12_345] = { ts: 12_345, value: 50 }; // a spike must survive
    pts[67_890] = { ts: 67_890, value: -50 }; // and a dip
    const out = minMaxDownsample(pts, 1000, 0, n);
    assert.ok(out.length <= 1000, `got ${out.length}`);
    assert.ok(out.length >= 900, `got ${out.length}`);
    assert.deepEqual(out.find((p) => p.value === 50), { ts: 12_345, value: 50 });
    assert.deepEqual(out.find((p) => p.value === -50), { ts: 67_890, value: -50 });
    for (let i = 1; i < out.length; i++) assert.ok(out[i]!.ts > out[i - 1]!.ts, 'sorted by time');
  });

  it('emits (min, max) of each slot exactly', () => {
    const pts = [
      { ts: 0, value: 5 },
      { ts: 1, value: 9 },
      { ts: 2, value: 1 },
      { ts: 3, value: 4 },
      { ts: 4, value: 7 },
      { ts: 5, value: 7 },
      { ts: 6, value: 2 },
      { ts: 7, value: 3 },
    ];
    // 4 points => 2 slots of 4 ms: slot 0 max 9 @1, min 1 @2; slot 1 min 2 @6, max 7 @4.
    assert.deepEqual(minMaxDownsample(pts, 4, 0, 8), [
      { ts: 1, value: 9 },
      { ts: 2, value: 1 },
      { ts: 4, value: 7 },
      { ts: 6, value: 2 },
    ]);
  });
});

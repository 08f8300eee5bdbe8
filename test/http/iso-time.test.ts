// The fast ISO formatter of bucket answers must write exactly what Date#toISOString writes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoFormatter } from '../../src/transport/http/iso-time.ts';

test('isoFormatter writes what toISOString writes, across days, edges and out-of-range years', () => {
  const iso = isoFormatter();
  const times = [0, 1, 999, 1000, 59_999, 86_399_999, 86_400_000, 951_782_400_000 /* 2000-02-29 */, 1_764_028_800_123, 253_402_300_799_999];
  for (let t = 1_764_000_000_000, i = 0; i < 3000; i++, t += 1_799_997) times.push(t); // many days, unaligned
  for (const t of [...times, -1, -86_400_001, 253_402_300_800_000, 8.64e15, 1.5]) {
    assert.equal(iso(t), new Date(t).toISOString(), `at ${t}`);
  }
});

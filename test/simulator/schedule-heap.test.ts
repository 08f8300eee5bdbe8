import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScheduleHeap } from '../../src/simulator/schedule-heap.ts';
import { seededRng } from '../../src/simulator/rng.ts';

test('pops in time order, whatever the push order', () => {
  const rng = seededRng(9);
  const heap = new ScheduleHeap<number>();
  const times = Array.from({ length: 5000 }, () => Math.floor(rng() * 1000));
  times.forEach((t, i) => heap.push(t, i));
  assert.equal(heap.size, 5000);
  const popped: number[] = [];
  for (let e = heap.pop(); e; e = heap.pop()) {
    assert.equal(times[e.item], e.time, 'item stays with its time');
    popped.push(e.time);
  }
  assert.deepStrictEqual(popped, [...times].sort((a, b) => a - b));
  assert.equal(heap.peekTime(), undefined);
});

import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Point } from '../../src/domain/telemetry.ts';
import { pointsPerDevice } from '../../src/services/points-by-device.ts';

const point = (deviceId: string): Point => ({ deviceId, ts: 0, field: 'v', value: 1, meta: null });

it('counts each device once per point, in runs and interleaved, in first-seen order', () => {
  const points = ['a', 'a', 'b', 'a', 'c', 'c', 'c', 'b'].map(point);
  assert.deepEqual([...pointsPerDevice(points)], [['a', 3], ['b', 2], ['c', 3]]);
  assert.deepEqual([...pointsPerDevice([])], []);
});

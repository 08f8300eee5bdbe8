// The history page's hand-written JSON is the text JSON.stringify gives for the views it replaces.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Point } from '../../src/domain/telemetry.ts';
import { historyJson } from '../../src/transport/http/history-json.ts';
import { pointToView } from '../../src/transport/http/views.ts';

it('writes the same text as JSON.stringify of the point views', () => {
  const t = Date.UTC(2026, 11, 6, 21, 30, 5, 7);
  const points: Point[] = [
    { deviceId: 'd', ts: t, field: 'power', value: 1200.5, meta: null },
    { deviceId: 'd', ts: t + 1, field: 'temp.c', value: -0, meta: JSON.stringify({ unit: '°C', note: 'quote " and \\ back' }) },
    { deviceId: 'd', ts: t + 2, field: 'on', value: true, meta: null },
    { deviceId: 'd', ts: t + 3, field: 'mode', value: 'ünïcødé "x" \u2028 \n', meta: null },
    { deviceId: 'd', ts: 0, field: 'big', value: 1e21, meta: null },
    { deviceId: 'd', ts: t + 5, field: 'tiny', value: 5e-324, meta: null },
  ];
  const outOfRange = (field: string) => field === 'power';
  for (const cursor of [null, 'abc"def']) {
    const expected = JSON.stringify({ device_id: 'dev "1"', count: points.length, points: points.map((p) => pointToView(p, outOfRange)), next_cursor: cursor });
    assert.equal(historyJson('dev "1"', points, cursor, outOfRange), expected);
  }
  assert.equal(historyJson('d', [], null), JSON.stringify({ device_id: 'd', count: 0, points: [], next_cursor: null }));
});

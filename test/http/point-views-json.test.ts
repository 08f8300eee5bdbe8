// History pages are written as text without view objects; the text must be what the views gave.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Point } from '../../src/domain/telemetry.ts';
import { pointViewsJson } from '../../src/transport/http/point-views-json.ts';
import { pointToView } from '../../src/transport/http/views.ts';

const point = (ts: number, field: string, value: Point['value'], meta: string | null = null): Point => ({ deviceId: 'd', ts, field, value, meta });

test('pointViewsJson writes what JSON.stringify of the point views writes', () => {
  const t = 1_796_558_400_000;
  const points: Point[] = [
    point(t, 'power', 1234.5),
    point(t, 'voltage', 230, '{"src":"probe","n":[1,2.5e-7],"deep":{"ok":true}}'),
    point(t, 'on', true),
    point(t + 1, 'on', false),
    point(t + 1, 'mode', 'eco "quoted" \\ back\u0001slash ✓ \ud83d\ude00 \u2028'),
    point(t + 2, 'f\u00e9ld "x"', -0),
    point(t + 2, 'big', 1e21),
    point(t + 2, 'tiny', -5e-324),
    point(t + 3, 'power', Number.MAX_SAFE_INTEGER),
    point(-1, 'before 1970', 0.1),
    point(253_402_300_800_000, 'after 9999', 2, '{}'),
  ];
  for (let i = 0; i < 500; i++) points.push(point(t + 10_000 * Math.floor(i / 3), ['power', 'voltage', 'current'][i % 3]!, Math.round(Math.random() * 1e6) / 1e3));
  const outOfRange = (field: string, value: unknown) => field === 'power' && typeof value === 'number' && value > 1000;
  assert.equal(pointViewsJson(points), JSON.stringify(points.map((p) => pointToView(p))));
  assert.equal(pointViewsJson(points, outOfRange), JSON.stringify(points.map((p) => pointToView(p, outOfRange))));
  assert.equal(pointViewsJson([]), '[]');
  assert.ok(pointViewsJson(points, outOfRange).includes('"out_of_range":true'));
});

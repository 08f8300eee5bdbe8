// GET /api/v1/telemetry/{id}/series: 100,000 points come back as at most max_points per field.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, type RunningPlatform, startPlatform } from '../helpers/running-platform.ts';

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
const N = 100_000;
const STEP = 9; // ms: 100,000 points in 15 minutes

describe('/api/v1/telemetry/{id}/series', () => {
  let p: RunningPlatform;
  let token: string;

  before(async () => {
    p = await startPlatform();
    token = await p.login(ADMIN.username, ADMIN.password);
    const created = await p.api('POST', '/api/v1/devices', { token, body: { id: 'meter', name: 'Meter' } });
    const key = created.body.api_key as string;
    const batch = 5000;
    for (let i = 0; i < N; i += batch) {
      const messages = [];
      for (let j = i; j < i + batch; j++) {
        const power = j === 43_210 ? 9999 : 100 + (j % 50);
        messages.push({ timestamp: T0 + j * STEP, power, on: Math.floor(j / 1000) % 2 === 0 });
      }
      const res = await p.api('POST', '/api/v1/telemetry', { apiKey: key, body: messages });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
  });
  after(async () => p.stop());

  const get = (query: string) => p.api('GET', `/api/v1/telemetry/meter/series?${query}`, { token });

  test('a short range with 100,000 points is min/max-downsampled to max_points, spike kept', async () => {
    const res = await get(`start_time=${T0}&end_time=${T0 + N * STEP}&max_points=1000`);
    assert.equal(res.status, 200);
    assert.equal(res.body.mode, 'downsampled');
    assert.equal(res.body.window, null);
    const [on, power] = res.body.fields;
    assert.equal(power.field, 'power');
    assert.equal(power.kind, 'number');
    assert.ok(power.ts.length <= 1000 && power.ts.length >= 500, `power has ${power.ts.length} points`);
    assert.equal(power.values[power.ts.indexOf(T0 + 43_210 * STEP)], 9999);
    assert.equal(Math.max(...power.values), 9999);
    assert.equal(Math.min(...power.values), 100);
    // The boolean keeps every change: 100 runs of 1000 points => first + 99 changes + last.
    assert.equal(on.kind, 'boolean');
    assert.equal(on.ts.length, 101);
    assert.deepEqual(on.values.slice(0, 3), [true, false, true]);
    assert.equal(on.ts[1], T0 + 1000 * STEP);
  });

  test('a 30-day range is served from rollups in buckets that fit max_points', async () => {
    const end = T0 + 15 * 86_400_000;
    const res = await get(`start_time=${end - 30 * 86_400_000}&end_time=${end}&max_points=1000&fields=power`);
    assert.equal(res.status, 200);
    assert.equal(res.body.mode, 'aggregated');
    assert.equal(res.body.window, '1h');
    const [power] = res.body.fields;
    assert.ok(power.ts.length <= 721, `${power.ts.length} buckets`);
    const withData = power.ts.map((t: number, i: number) => [t, power.values[i], power.max[i]]).filter((r: unknown[]) => r[1] !== null);
    assert.equal(withData.length, 1);
    assert.equal(withData[0][0], T0);
    assert.equal(withData[0][2], 9999);
    const mean = (N * 100 + (N / 50) * (49 * 50) / 2 + (9999 - (100 + (43_210 % 50)))) / N;
    assert.ok(Math.abs(withData[0][1] - mean) < 1e-9, `${withData[0][1]} vs ${mean}`);
  });

  test('few points come back raw and exact', async () => {
    const res = await get(`start_time=${T0}&end_time=${T0 + 5 * STEP}&fields=power,on`);
    assert.equal(res.body.mode, 'raw');
    assert.deepEqual(res.body.fields, [
      { field: 'power', kind: 'number', ts: [0, 1, 2, 3, 4].map((i) => T0 + i * STEP), values: [100, 101, 102, 103, 104] },
      { field: 'on', kind: 'boolean', ts: [0, 1, 2, 3, 4].map((i) => T0 + i * STEP), values: [true, true, true, true, true] },
    ]);
  });

  test('bad max_points is a 400 naming it', async () => {
    const res = await get('max_points=5');
    assert.equal(res.status, 400);
    assert.match(JSON.stringify(res.body.error), /max_points/);
  });
});

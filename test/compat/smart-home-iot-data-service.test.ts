// The Smart Home IoT Data Service's README examples and endpoint list, replayed against a running
// platform at its unprefixed paths, with a user's bearer token where it needed none. The same paths
// are dashboard pages: a browser asking for HTML still gets the dashboard.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PNG } from '../http/files-helpers.ts';
import { type TestPlatform, forEachStorage, startPlatform } from '../helpers/platform.ts';

forEachStorage('Smart Home IoT Data Service API', (tp) => {
  let user: { token: string; id: string };
  let key: string;
  const now = Date.now();

  before(async () => {
    user = await tp().newUser('smarthome');
    key = (await tp().newDevice(user.token, { id: 'device_1', name: 'Hall thermostat', device_type: 'thermostat', location: 'Living Room' })).api_key;
    const points = [90, 30, 5].map((minutesAgo, i) => ({ data: { temperature: 20 + i, humidity: 40 + i }, timestamp: now - minutesAgo * 60_000 }));
    assert.equal((await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: points })).status, 201);
    assert.equal((await tp().api('POST', '/api/v1/devices/device_1/logs', { apiKey: key, body: { level: 'warning', message: 'battery low' } })).status, 201);
  });

  it('GET /devices lists the devices with their metadata and device_id', async () => {
    const res = await tp().api('GET', '/devices', { token: user.token });
    assert.equal(res.status, 200);
    assert.deepStrictEqual(
      res.body.devices.map((d: { device_id: string; id: string; device_type: string; location: string }) => [d.device_id, d.id, d.device_type, d.location]),
      [['device_1', 'device_1', 'thermostat', 'Living Room']],
    );
  });

  it('GET /devices/{device_id} answers the device metadata; an unknown id is a 404', async () => {
    const res = await tp().api('GET', '/devices/device_1', { token: user.token });
    assert.deepStrictEqual([res.status, res.body.device_id, res.body.name], [200, 'device_1', 'Hall thermostat']);
    const missing = await tp().api('GET', '/devices/nope', { token: user.token });
    assert.deepStrictEqual([missing.status, missing.body.error.code], [404, 'DEVICE_NOT_FOUND']);
  });

  it('GET /devices/{device_id}/sensor-data answers the readings, oldest first, within start_time/end_time', async () => {
    const all = await tp().api('GET', '/devices/device_1/sensor-data', { token: user.token });
    assert.equal(all.status, 200);
    assert.equal(all.body.device_id, 'device_1');
    const temps = all.body.sensor_data.filter((p: { field: string }) => p.field === 'temperature').map((p: { value: number }) => p.value);
    assert.deepStrictEqual(temps, [20, 21, 22]);
    const recent = await tp().api('GET', `/devices/device_1/sensor-data?start_time=${new Date(now - 60 * 60_000).toISOString()}&end_time=${new Date(now).toISOString()}`, { token: user.token });
    assert.deepStrictEqual(recent.body.sensor_data.filter((p: { field: string }) => p.field === 'temperature').map((p: { value: number }) => p.value), [21, 22]);
    const byKey = await tp().api('GET', '/devices/device_1/sensor-data', { apiKey: key });
    assert.equal(byKey.status, 200, 'the device itself may read its data with its key');
  });

  it('GET /devices/{device_id}/logs answers the system logs', async () => {
    const res = await tp().api('GET', '/devices/device_1/logs', { token: user.token });
    assert.equal(res.status, 200);
    assert.deepStrictEqual(res.body.logs.map((l: { level: string; message: string }) => [l.level, l.message]), [['warning', 'battery low']]);
  });

  it('POST /devices/{device_id}/images uploads a file (curl -F "file=@image.jpg"); GET lists it', async () => {
    const form = new FormData();
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'image.png');
    const up = await fetch(`${tp().baseUrl}/devices/device_1/images`, { method: 'POST', headers: { authorization: `Bearer ${user.token}` }, body: form });
    const body = (await up.json()) as { device_id: string; content_type: string; message: string };
    assert.deepStrictEqual([up.status, body.device_id, body.content_type], [201, 'device_1', 'image/png']);
    const list = await tp().api('GET', '/devices/device_1/images', { token: user.token });
    assert.deepStrictEqual([list.status, list.body.files.length], [200, 1]);
  });

  it('GET /device-types and /device-locations answer the distinct values', async () => {
    assert.deepStrictEqual((await tp().api('GET', '/device-types', { token: user.token })).body, { device_types: ['thermostat'] });
    assert.deepStrictEqual((await tp().api('GET', '/device-locations', { token: user.token })).body, { locations: ['Living Room'] });
  });

  it('POST /generate-and-store needs the demo simulator and says so', async () => {
    const res = await tp().api('POST', '/generate-and-store?num_devices=5', { token: await tp().adminToken() });
    assert.deepStrictEqual([res.status, res.body.error.code], [409, 'SIMULATION_NOT_RUNNING']);
    assert.match(res.body.error.message, /--demo/);
  });

  it('without credentials the API answers 401 in JSON', async () => {
    const res = await tp().api('GET', '/devices', { headers: { accept: 'application/json' } });
    assert.deepStrictEqual([res.status, res.body.error.code], [401, 'UNAUTHENTICATED']);
  });

  it('a browser navigating to /devices and /devices/{id} gets the dashboard, an API client JSON', async () => {
    for (const url of ['/devices', '/devices/device_1']) {
      const page = await fetch(tp().baseUrl + url, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      assert.equal(page.status, 200, url);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/, url);
      assert.match(await page.text(), /<div id="root">|<!doctype html>/i, url);
    }
    const api = await tp().api('GET', '/devices', { token: user.token, headers: { accept: 'text/html' } });
    assert.deepStrictEqual([api.status, api.body.devices.length], [200, 1]);
  });

  it('DELETE /devices/{device_id} deletes the device and all its data', async () => {
    const res = await tp().api('DELETE', '/devices/device_1', { token: user.token });
    assert.deepStrictEqual([res.status, res.body.device_id], [200, 'device_1']);
    assert.equal((await tp().api('GET', '/devices/device_1', { token: user.token })).status, 404);
    assert.equal((await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: { temperature: 1 } })).status, 401);
  });

  it('is in the OpenAPI document under its own tag', async () => {
    const doc = (await tp().api('GET', '/openapi.json')).body;
    assert.deepStrictEqual(doc.paths['/devices/{device_id}/sensor-data'].get.tags, ['Smart Home IoT Data Service']);
  });
});

describe('COMPAT_APIS=none', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startPlatform('sqlite', { COMPAT_APIS: 'none' });
  });
  after(async () => p.stop());

  it('serves none of the compatibility paths', async () => {
    const token = await p.adminToken();
    for (const url of ['/devices', '/api/monitoring/devices', '/api/v1/admin/cache/device-status', '/api/v1/devices/x/readings']) {
      const res = await p.api('GET', url, { token });
      assert.deepStrictEqual([url, res.status, res.body.error.code], [url, 404, 'ROUTE_NOT_FOUND']);
    }
    const doc = (await p.api('GET', '/openapi.json')).body;
    assert.equal(doc.paths['/devices'], undefined);
  });
});

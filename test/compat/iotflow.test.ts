// IoTFlow's README examples and endpoint tables, replayed against a running platform: X-User-ID
// becomes the user's bearer token, its admin token an admin's access token (sent as
// `Authorization: admin <token>` or as a bearer token), devices keep their X-API-Key.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachStorage } from '../helpers/platform.ts';

forEachStorage('IoTFlow API', (tp) => {
  let admin: string;
  let john: { token: string; id: string };
  let key: string;
  let deviceId: string;
  let janeId: string;
  const asAdmin = () => ({ authorization: `admin ${admin}` });

  before(async () => {
    admin = await tp().adminToken();
  });

  it('creates a user (admin) and logs in: the JWT and the user come back', async () => {
    const created = await tp().api('POST', '/api/v1/users', { token: admin, body: { username: 'john_doe', email: 'john@example.com', password: 'secure_password' } });
    assert.deepStrictEqual([created.status, created.body.username, created.body.email], [201, 'john_doe', 'john@example.com']);
    const { status, message, user } = created.body;
    assert.deepStrictEqual([status, message], ['success', 'User created successfully'], "IoTFlow's wrapper");
    assert.deepStrictEqual(
      [user.id, user.user_id, user.username, user.email, user.is_active, user.is_admin, typeof user.created_at],
      [created.body.id, created.body.id, 'john_doe', 'john@example.com', true, false, 'string'],
    );
    const login = await tp().api('POST', '/api/v1/auth/login', { body: { username: 'john_doe', password: 'secure_password' } });
    assert.equal(login.status, 200);
    assert.equal(typeof login.body.access_token, 'string');
    assert.deepStrictEqual([login.body.user.user_id, login.body.user.username, login.body.user.email], [created.body.id, 'john_doe', 'john@example.com']);
    john = { token: login.body.access_token, id: created.body.id };
  });

  it('POST /api/v1/auth/register answers with the same {status, message, user} wrapper', async () => {
    const res = await tp().api('POST', '/api/v1/auth/register', { body: { username: 'jane_doe', email: 'jane@example.com', password: 'secure_password' } });
    assert.deepStrictEqual([res.status, res.body.status, res.body.message, res.body.user.username, res.body.user.user_id], [201, 'success', 'User created successfully', 'jane_doe', res.body.id]);
    janeId = res.body.id;
  });

  it('registers a device (bearer instead of X-User-ID) and gets its API key once', async () => {
    const res = await tp().api('POST', '/api/v1/devices/register', {
      token: john.token,
      body: { name: 'Smart Temperature Sensor 001', description: 'Living room environmental sensor', device_type: 'sensor', location: 'Living Room', firmware_version: '1.2.3', hardware_version: 'v2.1' },
    });
    assert.equal(res.status, 201);
    assert.deepStrictEqual([res.body.name, res.body.device_type, res.body.status, typeof res.body.api_key], ['Smart Temperature Sensor 001', 'sensor', 'active', 'string']);
    assert.deepStrictEqual([res.body.message, res.body.device.name, res.body.device.api_key, res.body.device.user_id], ['Device registered successfully', 'Smart Temperature Sensor 001', res.body.api_key, john.id]);
    key = res.body.api_key;
    deviceId = res.body.id;
  });

  it('submits telemetry with X-API-Key and reads it back: latest, history, aggregated, status', async () => {
    const ts = new Date(Date.now() - 10 * 60_000).toISOString();
    const sent = await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: { data: { temperature: 23.5, humidity: 65.2 }, metadata: { location: 'Living Room' }, timestamp: ts } });
    assert.equal(sent.status, 201);
    const latest = await tp().api('GET', `/api/v1/telemetry/${deviceId}/latest`, { apiKey: key });
    assert.deepStrictEqual([latest.status, latest.body.values], [200, { temperature: 23.5, humidity: 65.2 }]);
    const history = await tp().api('GET', `/api/v1/telemetry/${deviceId}?start_time=-1h&limit=100`, { apiKey: key });
    assert.deepStrictEqual([history.status, history.body.count], [200, 2]);
    const agg = await tp().api('GET', `/api/v1/telemetry/${deviceId}/aggregated?window=1h&start_time=-24h&field=temperature&aggregation=mean`, { apiKey: key });
    assert.equal(agg.status, 200);
    const status = await tp().api('GET', '/api/v1/telemetry/status');
    assert.deepStrictEqual([status.status, status.body.status], [200, 'healthy']);
  });

  it('POST /api/v1/mqtt/telemetry/{device_id} stores telemetry for the key\'s own device only', async () => {
    const res = await tp().api('POST', `/api/v1/mqtt/telemetry/${deviceId}`, { apiKey: key, body: { data: { temperature: 24 } } });
    assert.deepStrictEqual([res.status, res.body.device_id, res.body.points], [201, deviceId, 1]);
    const other = await tp().api('POST', '/api/v1/mqtt/telemetry/someone-else', { apiKey: key, body: { data: { temperature: 24 } } });
    assert.deepStrictEqual([other.status, other.body.error.code], [403, 'FORBIDDEN']);
  });

  it('sends a heartbeat and reads the device status with X-API-Key', async () => {
    assert.equal((await tp().api('POST', '/api/v1/devices/heartbeat', { apiKey: key })).status, 200);
    const status = await tp().api('GET', '/api/v1/devices/status', { apiKey: key });
    assert.equal(status.status, 200);
  });

  it('the rest of its device, user, chart and auth tables: config, status by id, users, charts by id, refresh', async () => {
    const config = await tp().api('PUT', '/api/v1/devices/config', { apiKey: key, body: { config: { interval: 30 } } });
    assert.deepStrictEqual([config.status, config.body.config], [200, { interval: 30 }]);
    const byId = await tp().api('GET', `/api/v1/devices/${deviceId}/status`, { token: john.token });
    assert.deepStrictEqual([byId.status, byId.body.id, byId.body.online], [200, deviceId, true]);
    const me = await tp().api('GET', `/api/v1/users/${john.id}`, { token: john.token });
    assert.deepStrictEqual([me.status, me.body.user_id], [200, john.id]);
    const users = await tp().api('GET', '/api/v1/users', { headers: asAdmin() });
    assert.ok(users.body.users.some((u: { user_id: string }) => u.user_id === john.id));
    const renamed = await tp().api('PUT', `/api/v1/users/${john.id}`, { token: john.token, body: { email: 'john.doe@example.com' } });
    assert.deepStrictEqual([renamed.status, renamed.body.email], [200, 'john.doe@example.com']);
    const chart = await tp().api('POST', '/api/v1/charts', { token: john.token, body: { name: 'Humidity', series: [{ device_id: deviceId, field: 'humidity' }] } });
    const read = await tp().api('GET', `/api/v1/charts/${chart.body.id}`, { token: john.token });
    const changed = await tp().api('PUT', `/api/v1/charts/${chart.body.id}`, { token: john.token, body: { name: 'Humidity, living room' } });
    const gone = await tp().api('DELETE', `/api/v1/charts/${chart.body.id}`, { token: john.token });
    assert.deepStrictEqual([read.status, changed.body.name, gone.status], [200, 'Humidity, living room', 204]);
    const login = await tp().api('POST', '/api/v1/auth/login', { body: { username: 'john_doe', password: 'secure_password' } });
    const refreshed = await tp().api('POST', '/api/v1/auth/refresh', { body: { refresh_token: login.body.refresh_token } });
    assert.deepStrictEqual([refreshed.status, refreshed.body.user.user_id, typeof refreshed.body.access_token], [200, john.id, 'string']);
    const deleted = await tp().api('DELETE', `/api/v1/users/${janeId}`, { headers: asAdmin() });
    assert.deepStrictEqual([deleted.status, deleted.body.deleted], [200, true]);
    assert.equal((await tp().api('GET', `/api/v1/users/${janeId}`, { headers: asAdmin() })).status, 404);
  });

  it('DELETE /api/v1/telemetry/{device_id}: not with the device key (403 says who may); the owner deletes a range', async () => {
    const byKey = await tp().api('DELETE', `/api/v1/telemetry/${deviceId}?start_time=-1h`, { apiKey: key });
    assert.deepStrictEqual([byKey.status, byKey.body.error.code], [403, 'FORBIDDEN']);
    assert.match(byKey.body.error.message, /owner/);
    const noRange = await tp().api('DELETE', `/api/v1/telemetry/${deviceId}`, { token: john.token });
    assert.deepStrictEqual([noRange.status, noRange.body.error.code], [400, 'VALIDATION_FAILED']);
    const old = new Date(Date.now() - 3 * 86_400_000).toISOString();
    assert.equal((await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: { data: { temperature: 1 }, timestamp: old } })).status, 201);
    const range = `start_time=${new Date(Date.now() - 4 * 86_400_000).toISOString()}&end_time=${new Date(Date.now() - 2 * 86_400_000).toISOString()}`;
    const byOwner = await tp().api('DELETE', `/api/v1/telemetry/${deviceId}?${range}`, { token: john.token });
    assert.deepStrictEqual([byOwner.status, byOwner.body.deleted], [200, 1]);
  });

  it('GET /api/v1/devices/credentials answers 410 API_KEY_NOT_READABLE saying how to get a new key', async () => {
    const res = await tp().api('GET', '/api/v1/devices/credentials', { apiKey: key });
    assert.deepStrictEqual([res.status, res.body.error.code, res.body.error.details], [410, 'API_KEY_NOT_READABLE', { device_id: deviceId }]);
    assert.match(res.body.error.message, /api-key/);
  });

  it("answers a user's devices, telemetry and charts by user id (yourself, or anyone for admins)", async () => {
    const devices = await tp().api('GET', `/api/v1/devices/user/${john.id}`, { token: john.token });
    assert.deepStrictEqual([devices.status, devices.body.devices.map((d: { id: string }) => d.id)], [200, [deviceId]]);
    const telemetry = await tp().api('GET', `/api/v1/telemetry/user/${john.id}?start_time=-1h`, { token: admin });
    assert.equal(telemetry.status, 200);
    assert.deepStrictEqual([telemetry.body.device_count, telemetry.body.telemetry[0].device_id, telemetry.body.telemetry[0].count], [1, deviceId, 3]);
    const other = await tp().newUser('mallory');
    const hidden = await tp().api('GET', `/api/v1/devices/user/${john.id}`, { token: other.token });
    assert.deepStrictEqual([hidden.status, hidden.body.error.code], [404, 'USER_NOT_FOUND'], 'other users learn nothing about who exists');
    const chart = await tp().api('POST', '/api/v1/charts', { token: john.token, body: { name: 'Living room', series: [{ device_id: deviceId, field: 'temperature' }] } });
    assert.equal(chart.status, 201);
    const charts = await tp().api('GET', `/api/v1/charts/user/${john.id}`, { token: john.token });
    assert.deepStrictEqual([charts.status, charts.body.charts.map((c: { name: string }) => c.name)], [200, ['Living room']]);
    assert.equal((await tp().api('GET', `/api/v1/charts/user/${john.id}`, { token: other.token })).status, 404);
    const adminAsks = await tp().api('GET', `/api/v1/charts/user/${john.id}`, { token: admin });
    assert.deepStrictEqual([adminAsks.status, adminAsks.body.error.code], [403, 'FORBIDDEN']);
  });

  it('administration with Authorization: admin <token>: devices, details, status, stats, dashboard', async () => {
    const list = await tp().api('GET', '/api/v1/admin/devices', { headers: asAdmin() });
    assert.deepStrictEqual([list.status, list.body.devices.map((d: { id: string }) => d.id)], [200, [deviceId]]);
    const one = await tp().api('GET', `/api/v1/admin/devices/${deviceId}`, { headers: asAdmin() });
    assert.deepStrictEqual([one.status, one.body.device.name, one.body.device.latest.temperature], [200, 'Smart Temperature Sensor 001', 24]);
    const status = await tp().api('PUT', `/api/v1/admin/devices/${deviceId}/status`, { headers: asAdmin(), body: { status: 'maintenance' } });
    assert.equal(status.status, 200);
    const statuses = await tp().api('GET', '/api/v1/admin/devices/statuses', { headers: asAdmin() });
    assert.deepStrictEqual([statuses.status, statuses.body.devices.map((d: { id: string; status: string }) => [d.id, d.status])], [200, [[deviceId, 'maintenance']]]);
    const updated = await tp().api('PUT', `/api/v1/admin/devices/${deviceId}`, { headers: asAdmin(), body: { location: 'Kitchen' } });
    assert.deepStrictEqual([updated.status, updated.body.device.location, updated.body.device.status], [200, 'Kitchen', 'maintenance']);
    const stats = await tp().api('GET', '/api/v1/admin/stats', { headers: asAdmin() });
    assert.deepStrictEqual([stats.status, stats.body.devices], [200, 1]);
    const dashboard = await tp().api('GET', '/api/v1/admin/dashboard', { headers: asAdmin() });
    assert.deepStrictEqual([dashboard.status, dashboard.body.devices.total], [200, 1]);
    const notAdmin = await tp().api('GET', '/api/v1/admin/devices', { headers: { authorization: `admin ${john.token}` } });
    assert.deepStrictEqual([notAdmin.status, notAdmin.body.error.code], [403, 'FORBIDDEN']);
    const noToken = await tp().api('GET', '/api/v1/admin/devices', { headers: { authorization: 'admin test' } });
    assert.equal(noToken.status, 401);
  });

  it('the device-status cache holds last status and last_seen per device; stats and clear work', async () => {
    await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: { data: { temperature: 25 } } });
    const cached = await tp().api('GET', `/api/v1/devices/${deviceId}/cached-status`, { token: john.token });
    assert.deepStrictEqual([cached.status, cached.body.cached, cached.body.status], [200, true, 'online']);
    assert.ok(Math.abs(Date.parse(cached.body.last_seen) - Date.now()) < 3_600_000);
    const stats = await tp().api('GET', '/api/v1/admin/cache/device-status', { headers: asAdmin() });
    assert.deepStrictEqual([stats.status, stats.body.cache_stats.cached_devices, stats.body.cache_stats.online, stats.body.cache_stats.store], [200, 1, 1, 'memory']);
    const one = await tp().api('DELETE', `/api/v1/admin/cache/devices/${deviceId}`, { headers: asAdmin() });
    assert.deepStrictEqual([one.status, one.body.cleared], [200, true]);
    assert.equal((await tp().api('GET', '/api/v1/admin/cache/device-status', { headers: asAdmin() })).body.cache_stats.cached_devices, 0);
    await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: { data: { temperature: 26 } } });
    assert.equal((await tp().api('GET', '/api/v1/admin/cache/device-status', { headers: asAdmin() })).body.cache_stats.cached_devices, 1);
    const all = await tp().api('DELETE', '/api/v1/admin/cache/device-status', { headers: asAdmin() });
    assert.deepStrictEqual([all.status, all.body.cleared], [200, 1]);
    const after = await tp().api('GET', `/api/v1/devices/${deviceId}/cached-status`, { token: john.token });
    assert.deepStrictEqual([after.body.cached, after.body.status], [false, null]);
    assert.equal((await tp().api('GET', '/api/v1/admin/cache/device-status', { token: john.token })).status, 403);
  });

  it('GET /api/v1/mqtt/status and /health?include=… report the named components', async () => {
    const mqtt = await tp().api('GET', '/api/v1/mqtt/status');
    assert.deepStrictEqual([mqtt.status, mqtt.body.status, mqtt.body.mode], [200, 'running', 'embedded']);
    const health = await tp().api('GET', '/health?include=storage,redis,mqtt');
    assert.equal(health.status, 200);
    assert.deepStrictEqual(Object.keys(health.body.components), ['storage', 'redis', 'mqtt']);
    assert.equal(health.body.components.storage.ok, true);
    assert.equal(health.body.components.mqtt.ok, true);
    assert.deepStrictEqual([health.body.components.redis.ok, health.body.components.redis.present], [false, false]);
    const detailed = await tp().api('GET', '/health?detailed=true');
    assert.equal(detailed.body.status, 'healthy', 'a component not present does not make the node unhealthy');
  });

  it('deletes a device as admin and drops its cached status', async () => {
    const res = await tp().api('DELETE', `/api/v1/admin/devices/${deviceId}`, { headers: asAdmin() });
    assert.equal(res.status, 200);
    assert.equal((await tp().api('GET', `/api/v1/admin/devices/${deviceId}`, { headers: asAdmin() })).status, 404);
  });

  it('is in the OpenAPI document under its own tag', async () => {
    const doc = (await tp().api('GET', '/openapi.json')).body;
    assert.deepStrictEqual(doc.paths['/api/v1/admin/cache/device-status'].get.tags, ['IoTFlow']);
  });
});

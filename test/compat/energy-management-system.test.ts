// The Energy Management System's endpoints as its React frontend calls them through its gateway
// (/api/auth, /api/users, /api/devices, /api/mappings, /api/monitoring), replayed against a running
// platform. Its JWTs are Fluxgate access tokens; its saga rollback answers 410 saying what to do.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachStorage } from '../helpers/platform.ts';

const HOUR = 3_600_000;

forEachStorage('Energy Management System API', (tp) => {
  let admin: string;
  let alice: { token: string; id: string };
  let bobId: string;
  let meter: { id: string; key: string };
  // Yesterday (UTC) at 10:00 and 11:00: a whole past day, whatever the clock says.
  const yesterday = new Date(Math.floor(Date.now() / (24 * HOUR)) * 24 * HOUR - 24 * HOUR);
  const date = yesterday.toISOString().slice(0, 10);

  before(async () => {
    admin = await tp().adminToken();
  });

  it('POST /api/auth/register and /api/auth/login: access/refresh tokens and the CLIENT role', async () => {
    const reg = await tp().api('POST', '/api/auth/register', { body: { username: 'alice', password: 'alice123-long', email: 'alice@example.com' } });
    assert.deepStrictEqual([reg.status, reg.body.username, reg.body.user_role], [201, 'alice', 'CLIENT']);
    const login = await tp().api('POST', '/api/auth/login', { body: { username: 'alice', password: 'alice123-long' } });
    assert.equal(login.status, 200);
    assert.equal(login.body.access, login.body.access_token);
    assert.equal(login.body.refresh, login.body.refresh_token);
    assert.equal(login.body.user.user_role, 'CLIENT');
    alice = { token: login.body.access, id: reg.body.id };
    const bad = await tp().api('POST', '/api/auth/login', { body: { username: 'alice', password: 'wrong-password' } });
    assert.deepStrictEqual([bad.status, bad.body.error.code], [401, 'INVALID_CREDENTIALS']);
  });

  it('GET /api/auth/validate accepts a valid token and refuses a bad one', async () => {
    const ok = await tp().api('GET', '/api/auth/validate', { token: alice.token });
    assert.deepStrictEqual([ok.status, ok.body.valid, ok.body.user.username], [200, true, 'alice']);
    assert.equal((await tp().api('GET', '/api/auth/validate', { token: 'not-a-token' })).status, 401);
  });

  it('users: the admin creates, lists, reads and updates them; a client may not list', async () => {
    const created = await tp().api('POST', '/api/users', { token: admin, body: { username: 'bob', password: 'bob123-long', email: 'bob@example.com' } });
    assert.deepStrictEqual([created.status, created.body.username], [201, 'bob']);
    bobId = created.body.id;
    for (const url of ['/api/users', '/api/auth/users', '/api/monitoring/users']) {
      const list = await tp().api('GET', url, { token: admin });
      assert.equal(list.status, 200, url);
      assert.ok(JSON.stringify(list.body).includes('"bob"'), url);
    }
    assert.equal((await tp().api('GET', '/api/users', { token: alice.token })).status, 403);
    const one = await tp().api('GET', `/api/users/${bobId}`, { token: admin });
    assert.deepStrictEqual([one.status, one.body.email, one.body.user_role], [200, 'bob@example.com', 'CLIENT']);
    const updated = await tp().api('PUT', `/api/users/${bobId}`, { token: admin, body: { email: 'robert@example.com' } });
    assert.deepStrictEqual([updated.status, updated.body.email], [200, 'robert@example.com']);
    const viaAuth = await tp().api('PUT', `/api/auth/users/${bobId}`, { token: admin, body: { email: 'bob2@example.com' } });
    assert.deepStrictEqual([viaAuth.status, viaAuth.body.email], [200, 'bob2@example.com']);
  });

  it('devices: the admin creates, lists, reads and updates them', async () => {
    const created = await tp().api('POST', '/api/devices', { token: admin, body: { id: 'meter-1', name: 'Smart meter', device_type: 'smart_meter', description: 'Flat 1' } });
    assert.deepStrictEqual([created.status, created.body.id, typeof created.body.api_key], [201, 'meter-1', 'string']);
    meter = { id: created.body.id, key: created.body.api_key };
    const list = await tp().api('GET', '/api/devices', { token: admin });
    assert.deepStrictEqual([list.status, list.body.devices.map((d: { id: string }) => d.id)], [200, ['meter-1']]);
    const updated = await tp().api('PUT', '/api/devices/meter-1', { token: admin, body: { description: 'Flat 2' } });
    assert.deepStrictEqual([updated.status, updated.body.description], [200, 'Flat 2']);
    assert.equal((await tp().api('GET', '/api/devices/meter-1', { token: alice.token })).status, 404, 'not assigned yet');
  });

  it('mappings: assign a device to a client, list it for the user and for the admin, unassign', async () => {
    const assigned = await tp().api('POST', '/api/mappings/assign', { token: admin, body: { device_id: 'meter-1', user_id: alice.id } });
    assert.equal(assigned.status, 201);
    const mine = await tp().api('GET', `/api/mappings/user/${alice.id}/devices`, { token: alice.token });
    assert.deepStrictEqual([mine.status, mine.body.devices.map((d: { id: string }) => d.id)], [200, ['meter-1']]);
    const all = await tp().api('GET', '/api/mappings', { token: admin });
    assert.deepStrictEqual([all.status, all.body.total], [200, 1]);
    assert.equal((await tp().api('GET', '/api/devices/meter-1', { token: alice.token })).status, 200);
    assert.equal((await tp().api('GET', '/api/monitoring/devices', { token: alice.token })).body.devices.length, 1);
  });

  it('monitoring: measurements, hourly consumption of a day and a date range', async () => {
    const points = [10, 11].map((h, i) => ({ energy_usage: 0.5 + i, timestamp: yesterday.getTime() + h * HOUR + 60_000 }));
    assert.equal((await tp().api('POST', '/api/v1/telemetry', { apiKey: meter.key, body: points })).status, 201);
    const measurements = await tp().api('GET', `/api/monitoring/measurements?device_id=meter-1&start_time=${yesterday.toISOString()}`, { token: alice.token });
    assert.equal(measurements.status, 200);
    assert.deepStrictEqual(measurements.body.measurements.map((m: { measurement_value: number }) => m.measurement_value).sort(), [0.5, 1.5]);
    const everyDevice = await tp().api('GET', `/api/monitoring/measurements?start_time=${yesterday.toISOString()}`, { token: alice.token });
    assert.equal(everyDevice.body.count, 2);
    const daily = await tp().api('GET', `/api/monitoring/hourly/daily?device_id=meter-1&date=${date}`, { token: alice.token });
    assert.equal(daily.status, 200);
    assert.equal(daily.body.total, 2);
    assert.deepStrictEqual(daily.body.buckets.filter((b: { value: number }) => b.value > 0).map((b: { value: number }) => b.value), [0.5, 1.5]);
    const range = await tp().api('GET', `/api/monitoring/hourly/range?device_id=meter-1&start_date=${date}&end_date=${date}`, { token: alice.token });
    assert.deepStrictEqual([range.status, range.body.total], [200, 2]);
    const missing = await tp().api('GET', '/api/monitoring/hourly/range?device_id=meter-1', { token: alice.token });
    assert.deepStrictEqual([missing.status, missing.body.error.code], [400, 'VALIDATION_FAILED']);
  });

  it('the saga rollback answers 410 SAGA_ROLLBACK_UNSUPPORTED naming the call to use instead', async () => {
    const res = await tp().api('DELETE', `/api/users/${bobId}/rollback`, { token: admin });
    assert.deepStrictEqual([res.status, res.body.error.code], [410, 'SAGA_ROLLBACK_UNSUPPORTED']);
    assert.match(res.body.error.message, new RegExp(`DELETE /api/users/${bobId}`));
  });

  it('unassign, delete a device and a user', async () => {
    const un = await tp().api('DELETE', `/api/mappings/unassign/meter-1?user_id=${alice.id}`, { token: admin });
    assert.equal(un.status, 200);
    assert.equal((await tp().api('GET', '/api/devices/meter-1', { token: alice.token })).status, 404);
    const gone = await tp().api('DELETE', '/api/devices/meter-1', { token: admin });
    assert.deepStrictEqual([gone.status, gone.body.id], [200, 'meter-1']);
    assert.equal((await tp().api('GET', '/api/devices/meter-1', { token: admin })).status, 404);
    const user = await tp().api('DELETE', `/api/users/${bobId}`, { token: admin });
    assert.equal(user.status, 200);
    assert.equal((await tp().api('GET', `/api/users/${bobId}`, { token: admin })).status, 404);
    const carol = await tp().api('POST', '/api/users', { token: admin, body: { username: 'carol', password: 'carol123-long' } });
    const viaAuth = await tp().api('DELETE', `/api/auth/users/${carol.body.id}`, { token: admin });
    assert.deepStrictEqual([viaAuth.status, viaAuth.body.deleted], [200, true]);
    assert.equal((await tp().api('GET', `/api/users/${carol.body.id}`, { token: admin })).status, 404);
  });

  it('is in the OpenAPI document under its own tag', async () => {
    const doc = (await tp().api('GET', '/openapi.json')).body;
    assert.deepStrictEqual(doc.paths['/api/monitoring/hourly/daily'].get.tags, ['Energy Management System']);
  });
});

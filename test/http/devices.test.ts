// Device registry over real HTTP: create (chosen and generated ids), list with filters, ownership,
// update, delete, key rotation, and the device-side endpoints authenticated with X-API-Key.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { type Json, forEachStorage } from '../helpers/platform.ts';

const VIEW_KEYS = [
  'config',
  'created_at',
  'description',
  'device_type',
  'firmware_version',
  'hardware_version',
  'id',
  'last_seen',
  'location',
  'metadata',
  'name',
  'online',
  'owner_id',
  'status',
  'updated_at',
];

forEachStorage('devices', (tp) => {
  let alice: { token: string; id: string };
  let bob: { token: string; id: string };
  let admin: string;
  const keys: Record<string, string> = {};
  let plugId = '';

  before(async () => {
    alice = await tp().newUser('alice');
    bob = await tp().newUser('bob');
    admin = await tp().adminToken();
  });

  it('creates a device with a chosen id and shows its API key once', async () => {
    const res = await tp().api('POST', '/api/v1/devices', {
      token: alice.token,
      body: {
        id: 'boiler-1',
        name: 'Boiler',
        description: 'Cellar boiler',
        device_type: 'heater',
        location: 'cellar',
        firmware_version: '1.2.0',
        metadata: { vendor: 'acme' },
        config: { interval: 10 },
      },
    });
    assert.equal(res.status, 201);
    const d = res.body;
    assert.deepEqual(Object.keys(d).sort(), [...VIEW_KEYS, 'api_key'].sort());
    assert.match(d.api_key, /^fgk_[A-Za-z0-9_-]{43}$/);
    keys['boiler-1'] = d.api_key;
    const { api_key: _key, created_at, updated_at, ...rest } = d;
    assert.deepEqual(rest, {
      id: 'boiler-1',
      name: 'Boiler',
      description: 'Cellar boiler',
      device_type: 'heater',
      location: 'cellar',
      firmware_version: '1.2.0',
      hardware_version: null,
      status: 'active',
      online: false,
      metadata: { vendor: 'acme' },
      config: { interval: 10 },
      owner_id: alice.id,
      last_seen: null,
    });
    assert.equal(created_at, updated_at);
    const got = await tp().api('GET', '/api/v1/devices/boiler-1', { token: alice.token });
    assert.equal(got.status, 200);
    assert.deepEqual(Object.keys(got.body).sort(), VIEW_KEYS);
    assert.doesNotMatch(got.text, /fgk_/);
    const { api_key: _k, ...withoutKey } = d;
    assert.deepEqual(got.body, withoutKey);
  });

  it('generates an id when none is given, also through the /devices/register alias', async () => {
    const res = await tp().api('POST', '/api/v1/devices/register', { token: alice.token, body: { name: 'Plug', device_type: 'plug', location: 'kitchen' } });
    assert.equal(res.status, 201);
    assert.match(res.body.id, /^dev-[a-z2-9]{12}$/);
    assert.equal(res.body.device_type, 'plug');
    plugId = res.body.id;
    const defaults = await tp().api('POST', '/api/v1/devices', { token: alice.token, body: { id: 'thermo-1', name: 'Thermometer', location: 'Living Room' } });
    assert.equal(defaults.status, 201);
    assert.equal(defaults.body.device_type, 'sensor');
    assert.equal(defaults.body.status, 'active');
    keys['thermo-1'] = defaults.body.api_key;
    assert.notEqual(keys['thermo-1'], keys.plug);
  });

  it('refuses invalid and reserved ids with 400 naming id, and a taken id with 409', async () => {
    for (const id of ['bad id', 'a/b', 'x'.repeat(65), '', 'ümlaut', 'status', 'config', 'heartbeat', 'register', '..']) {
      const res = await tp().api('POST', '/api/v1/devices', { token: alice.token, body: { id, name: 'x' } });
      assert.equal(res.status, 400, id);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED', id);
      assert.match(res.body.error.message, /^(body\.)?id: /, id);
    }
    const reserved = await tp().api('POST', '/api/v1/devices', { token: alice.token, body: { id: 'status', name: 'x' } });
    assert.equal(reserved.body.error.message, 'id: "status" is reserved for device-side endpoints; choose another id');
    const dup = await tp().api('POST', '/api/v1/devices', { token: bob.token, body: { id: 'boiler-1', name: 'Mine now' } });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.code, 'DEVICE_EXISTS');
    const noName = await tp().api('POST', '/api/v1/devices', { token: alice.token, body: { id: 'nameless' } });
    assert.equal(noName.status, 400);
    assert.match(noName.body.error.message, /^body\.name: /);
    const badStatus = await tp().api('POST', '/api/v1/devices', { token: alice.token, body: { name: 'x', status: 'broken' } });
    assert.equal(badStatus.status, 400);
    assert.match(badStatus.body.error.message, /^body\.status: /);
    const anon = await tp().api('POST', '/api/v1/devices', { body: { name: 'x' } });
    assert.equal(anon.status, 401);
    assert.equal(anon.body.error.code, 'UNAUTHENTICATED');
  });

  it('lists own devices with filters, text search and pagination', async () => {
    await tp().newDevice(bob.token, { id: 'bob-meter', name: 'Meter', device_type: 'meter', location: 'garage', status: 'maintenance' });
    const ids = (r: Json) => (r.body.devices as Json[]).map((d) => d.id).sort();
    const all = await tp().api('GET', '/api/v1/devices', { token: alice.token });
    assert.equal(all.status, 200);
    assert.equal(all.body.total, 3);
    assert.equal(all.body.limit, 50);
    assert.equal(all.body.offset, 0);
    assert.deepEqual(ids(all), ['boiler-1', plugId, 'thermo-1'].sort());
    // A list item is the device view plus its latest values.
    for (const d of all.body.devices) assert.deepEqual(Object.keys(d).sort(), [...VIEW_KEYS, 'latest'].sort());
    assert.deepEqual(ids(await tp().api('GET', '/api/v1/devices?type=heater', { token: alice.token })), ['boiler-1']);
    assert.deepEqual(ids(await tp().api('GET', '/api/v1/devices?device_type=sensor', { token: alice.token })), ['thermo-1']);
    assert.deepEqual(ids(await tp().api('GET', '/api/v1/devices?location=cellar', { token: alice.token })), ['boiler-1']);
    assert.deepEqual(ids(await tp().api('GET', '/api/v1/devices?q=living', { token: alice.token })), ['thermo-1']);
    assert.deepEqual(ids(await tp().api('GET', '/api/v1/devices?q=CELLAR%20BOIL', { token: alice.token })), ['boiler-1']);
    assert.deepEqual(ids(await tp().api('GET', '/api/v1/devices?q=%25', { token: alice.token })), []);
    assert.deepEqual(ids(await tp().api('GET', '/api/v1/devices?status=maintenance', { token: alice.token })), []);
    assert.deepEqual(ids(await tp().api('GET', '/api/v1/devices?status=maintenance', { token: bob.token })), ['bob-meter']);
    const seen: string[] = [];
    for (let offset = 0; offset < 3; offset += 2) {
      const page = await tp().api('GET', `/api/v1/devices?limit=2&offset=${offset}`, { token: alice.token });
      assert.equal(page.body.total, 3);
      assert.equal(page.body.limit, 2);
      assert.equal(page.body.devices.length, offset === 0 ? 2 : 1);
      seen.push(...ids(page));
    }
    assert.deepEqual(seen.sort(), ids(all));
    const bad = await tp().api('GET', '/api/v1/devices?status=broken', { token: alice.token });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /^querystring\.status: /);
    const badLimit = await tp().api('GET', '/api/v1/devices?limit=0', { token: alice.token });
    assert.equal(badLimit.status, 400);
    assert.match(badLimit.body.error.message, /^querystring\.limit: /);
  });

  it('shows an admin every device and a user only their own', async () => {
    const adminList = await tp().api('GET', '/api/v1/devices?limit=100', { token: admin });
    assert.equal(adminList.body.total, 4);
    const bobList = await tp().api('GET', '/api/v1/devices', { token: bob.token });
    assert.deepEqual(
      bobList.body.devices.map((d: Json) => d.id),
      ['bob-meter'],
    );
    assert.equal((await tp().api('GET', '/api/v1/devices/bob-meter', { token: admin })).status, 200);
  });

  it("answers 404 for another user's device exactly as for a missing one", async () => {
    const missing = await tp().api('GET', '/api/v1/devices/no-such-device', { token: bob.token });
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { error: { code: 'DEVICE_NOT_FOUND', message: 'Device no-such-device not found' } });
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', { name: 'stolen' }],
      ['PATCH', { name: 'stolen' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await tp().api(method, '/api/v1/devices/boiler-1', { token: bob.token, body });
      assert.equal(res.status, 404, method);
      assert.deepEqual(res.body, { error: { code: 'DEVICE_NOT_FOUND', message: 'Device boiler-1 not found' } }, method);
    }
    const rotate = await tp().api('POST', '/api/v1/devices/boiler-1/api-key', { token: bob.token });
    assert.equal(rotate.status, 404);
    assert.equal((await tp().api('GET', '/api/v1/devices/boiler-1', { token: alice.token })).body.name, 'Boiler');
    const badId = await tp().api('GET', '/api/v1/devices/bad%20id', { token: alice.token });
    assert.equal(badId.status, 400);
    assert.match(badId.body.error.message, /^params\.id: /);
    for (const path of ['/api/v1/devices/%ZZ', `/api/v1/devices/${'a'.repeat(300)}`, '/api/v1/devices?q=%00', '/api/v1/energy/hourly?date=2026-01-01&device_id=x%00']) {
      const res = await tp().api('GET', path, { token: alice.token });
      assert.equal(res.status, 400, path);
      assert.deepEqual(Object.keys(res.body.error), ['code', 'message'], path);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED', path);
    }
  });

  it('updates only the given fields', async () => {
    const before = (await tp().api('GET', '/api/v1/devices/boiler-1', { token: alice.token })).body;
    const res = await tp().api('PUT', '/api/v1/devices/boiler-1', {
      token: alice.token,
      body: { name: 'Main boiler', status: 'maintenance', metadata: { vendor: 'acme', year: 2020 }, location: null },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      ...before,
      name: 'Main boiler',
      status: 'maintenance',
      metadata: { vendor: 'acme', year: 2020 },
      location: null,
      updated_at: res.body.updated_at,
    });
    assert.ok(Date.parse(res.body.updated_at) >= Date.parse(before.updated_at));
    const patched = await tp().api('PATCH', '/api/v1/devices/boiler-1', { token: alice.token, body: { firmware_version: '1.3.0' } });
    assert.equal(patched.body.firmware_version, '1.3.0');
    assert.equal(patched.body.name, 'Main boiler');
    const empty = await tp().api('PUT', '/api/v1/devices/boiler-1', { token: alice.token, body: {} });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error.code, 'VALIDATION_FAILED');
    const byAdmin = await tp().api('PUT', '/api/v1/devices/boiler-1', { token: admin, body: { status: 'active' } });
    assert.equal(byAdmin.status, 200);
    assert.equal(byAdmin.body.status, 'active');
  });

  it('lists distinct device types and locations of the devices one may see', async () => {
    assert.deepEqual((await tp().api('GET', '/api/v1/device-types', { token: alice.token })).body, ['heater', 'plug', 'sensor']);
    assert.deepEqual((await tp().api('GET', '/api/v1/device-locations', { token: alice.token })).body, ['Living Room', 'kitchen']);
    assert.deepEqual((await tp().api('GET', '/api/v1/device-types', { token: bob.token })).body, ['meter']);
    assert.deepEqual((await tp().api('GET', '/api/v1/device-types', { token: admin })).body, ['heater', 'meter', 'plug', 'sensor']);
    assert.equal((await tp().api('GET', '/api/v1/device-types')).status, 401);
  });

  it('lets a device beat, read itself and update its config with X-API-Key; last_seen follows', async () => {
    const key = keys['thermo-1']!;
    const beat = await tp().api('POST', '/api/v1/devices/heartbeat', { apiKey: key });
    assert.equal(beat.status, 200);
    assert.deepEqual(Object.keys(beat.body).sort(), ['id', 'last_seen', 'online']);
    assert.equal(beat.body.id, 'thermo-1');
    assert.equal(beat.body.online, true);
    assert.ok(Math.abs(Date.parse(beat.body.last_seen) - Date.now()) < 60_000);
    const seenByOwner = await tp().api('GET', '/api/v1/devices/thermo-1?confirm=true', { token: alice.token });
    assert.equal(seenByOwner.body.last_seen, beat.body.last_seen);
    assert.equal(seenByOwner.body.online, true);
    const status = await tp().api('GET', '/api/v1/devices/thermo-1/status', { token: alice.token });
    assert.deepEqual(status.body, { id: 'thermo-1', status: 'active', online: true, last_seen: beat.body.last_seen });

    const self = await tp().api('GET', '/api/v1/devices/status', { apiKey: key });
    assert.equal(self.status, 200);
    assert.deepEqual(Object.keys(self.body).sort(), VIEW_KEYS);
    assert.equal(self.body.id, 'thermo-1');

    const cfg = await tp().api('PUT', '/api/v1/devices/config', { apiKey: key, body: { config: { interval: 30 }, firmware_version: '2.0.0' } });
    assert.equal(cfg.status, 200);
    assert.deepEqual(cfg.body.config, { interval: 30 });
    assert.equal(cfg.body.firmware_version, '2.0.0');
    assert.deepEqual((await tp().api('GET', '/api/v1/devices/thermo-1?confirm=true', { token: alice.token })).body.config, { interval: 30 });
    const badCfg = await tp().api('PUT', '/api/v1/devices/config', { apiKey: key, body: { config: 5 } });
    assert.equal(badCfg.status, 400);
    assert.match(badCfg.body.error.message, /^body\.config: /);

    for (const apiKey of [undefined, 'fgk_wrong', '']) {
      const res = await tp().api('POST', '/api/v1/devices/heartbeat', { apiKey });
      assert.equal(res.status, 401, String(apiKey));
      assert.equal(res.body.error.code, 'INVALID_API_KEY');
    }
  });

  it('rotates the key: the old one stops at once, the new one works', async () => {
    const old = keys['thermo-1']!;
    assert.equal((await tp().api('POST', '/api/v1/devices/heartbeat', { apiKey: old })).status, 200);
    const res = await tp().api('POST', '/api/v1/devices/thermo-1/api-key', { token: alice.token });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ['api_key', 'id']);
    assert.equal(res.body.id, 'thermo-1');
    assert.match(res.body.api_key, /^fgk_[A-Za-z0-9_-]{43}$/);
    assert.notEqual(res.body.api_key, old);
    const stale = await tp().api('POST', '/api/v1/devices/heartbeat', { apiKey: old });
    assert.equal(stale.status, 401);
    assert.equal(stale.body.error.code, 'INVALID_API_KEY');
    const staleIngest = await tp().api('POST', '/api/v1/telemetry', { apiKey: old, body: { t: 1 } });
    assert.equal(staleIngest.status, 401);
    assert.equal((await tp().api('POST', '/api/v1/devices/heartbeat', { apiKey: res.body.api_key })).body.id, 'thermo-1');
    keys['thermo-1'] = res.body.api_key;
  });

  it('leaves no telemetry behind when a device is deleted while its points wait for commit', async () => {
    for (let i = 0; i < 10; i++) {
      const key = (await tp().newDevice(alice.token, { id: 'racer', name: 'Racer' })).api_key;
      const [ingest, del] = await Promise.all([
        tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: Array.from({ length: 50 }, (_, j) => ({ v: j, timestamp: Date.parse('2026-01-01T00:00:00Z') + j })) }),
        tp().api('DELETE', '/api/v1/devices/racer?confirm=true', { token: alice.token }),
      ]);
      assert.ok([201, 401].includes(ingest.status), ingest.text);
      assert.equal(del.status, 204);
      await tp().newDevice(alice.token, { id: 'racer', name: 'Racer again' });
      const history = await tp().api('GET', '/api/v1/telemetry/racer?start_time=2025-12-31T00:00:00Z&end_time=2026-01-02T00:00:00Z', { token: alice.token });
      assert.deepEqual(history.body.points, [], `round ${i}: points of the deleted device reached its successor`);
      assert.deepEqual((await tp().api('GET', '/api/v1/telemetry/racer/latest', { token: alice.token })).body.values, {});
      assert.equal((await tp().api('DELETE', '/api/v1/devices/racer?confirm=true', { token: alice.token })).status, 204);
    }
  });

  it('deletes a device with its telemetry; its key stops working', async () => {
    const key = keys['thermo-1']!;
    assert.equal((await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: { temperature: 21 } })).status, 201);
    const del = await tp().api('DELETE', '/api/v1/devices/thermo-1?confirm=true', { token: alice.token });
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    assert.equal((await tp().api('GET', '/api/v1/devices/thermo-1?confirm=true', { token: alice.token })).status, 404);
    assert.equal((await tp().api('GET', '/api/v1/telemetry/thermo-1', { token: alice.token })).status, 404);
    assert.equal((await tp().api('POST', '/api/v1/devices/heartbeat', { apiKey: key })).status, 401);
    assert.equal((await tp().api('DELETE', '/api/v1/devices/thermo-1?confirm=true', { token: alice.token })).status, 404);
    // The id is free again, with no telemetry left from the deleted device.
    const again = await tp().newDevice(alice.token, { id: 'thermo-1', name: 'New thermometer' });
    const history = await tp().api('GET', '/api/v1/telemetry/thermo-1?start_time=-7d', { token: alice.token });
    assert.equal(history.status, 200);
    assert.deepEqual(history.body.points, []);
    assert.equal(again.last_seen, null);
  });
});

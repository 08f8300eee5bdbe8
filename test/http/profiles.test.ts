// Device profiles over real HTTP on both databases: built-ins, users' own (CRUD, copy, ownership),
// commands and desired state validated against a device's profile, out-of-range readings flagged.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { type Json, type TestPlatform, forEachStorage } from '../helpers/platform.ts';

const MINUTE = 60_000;

const ownProfile = {
  device_type: 'aquarium',
  name: 'Aquarium controller',
  fields: [
    { key: 'water_temp', label: 'Water', unit: '°C', kind: 'measurement', min: 22, max: 30, decimals: 1 },
    { key: 'mode', label: 'Mode', kind: 'enum', labels: { day: 'Day', night: 'Night' } },
  ],
  commands: [{ name: 'set_mode', label: 'Set mode', params: [{ key: 'mode', label: 'Mode', type: 'enum', values: ['day', 'night'] }] }],
  desired: [{ key: 'heater_target', label: 'Heater target', type: 'number', unit: '°C', min: 20, max: 32 }],
  views: { main_fields: ['water_temp'], charts: [{ title: 'Water', fields: ['water_temp'] }], control: 'generic' },
};

forEachStorage('device profiles', (get) => {
  let tp: TestPlatform;
  let alice: { token: string; id: string };
  let bob: { token: string; id: string };
  let admin: string;

  before(async () => {
    tp = get();
    admin = await tp.adminToken();
    alice = await tp.newUser('alice');
    bob = await tp.newUser('bob');
  });

  test('built-in profiles cover the five systems\' device types, with their units', async () => {
    const res = await tp.api('GET', '/api/v1/profiles', { token: alice.token });
    assert.equal(res.status, 200);
    const byId = new Map<string, Json>(res.body.profiles.map((p: Json) => [p.id, p]));
    for (const type of ['thermostat', 'camera', 'motion_sensor', 'door_lock', 'smart_plug', 'hvac', 'led_lighting', 'server_rack', 'production_line', 'kitchen_equipment', 'smart_meter', 'sensor', 'actuator']) {
      assert.equal(byId.get(type)?.builtin, true, type);
    }
    const unit = (id: string, field: string) => byId.get(id).fields.find((f: Json) => f.key === field).unit;
    assert.deepEqual(
      [unit('hvac', 'power'), unit('smart_plug', 'power'), unit('hvac', 'energy'), unit('thermostat', 'temperature'), unit('thermostat', 'humidity'), unit('thermostat', 'pressure'), unit('hvac', 'voltage'), unit('hvac', 'current')],
      ['kW', 'W', 'kWh', '°C', '%', 'hPa', 'V', 'A'],
    );
    assert.deepEqual(byId.get('led_lighting').aliases, ['lighting']);
    const target = byId.get('thermostat').commands.find((c: Json) => c.name === 'set_target_temperature').params[0];
    assert.deepEqual([target.key, target.min, target.max, target.unit], ['temperature', 5, 35, '°C']);
    const energy = byId.get('hvac').fields.find((f: Json) => f.key === 'energy');
    assert.deepEqual([energy.kind, energy.device_class, energy.state_class], ['counter', 'energy', 'total_increasing']);
  });

  test('built-ins cannot be changed or deleted, only copied', async () => {
    const put = await tp.api('PUT', '/api/v1/profiles/thermostat', { token: admin, body: { ...ownProfile, device_type: 'thermostat' } });
    assert.deepEqual([put.status, put.body.error.code], [403, 'PROFILE_READ_ONLY']);
    const del = await tp.api('DELETE', '/api/v1/profiles/thermostat', { token: admin });
    assert.deepEqual([del.status, del.body.error.code], [403, 'PROFILE_READ_ONLY']);

    const copy = await tp.api('POST', '/api/v1/profiles/thermostat/copy', { token: alice.token, body: { device_type: 'my_thermostat', name: 'My thermostat' } });
    assert.equal(copy.status, 201, copy.text);
    assert.match(copy.body.id, /^prf-/);
    assert.deepEqual([copy.body.device_type, copy.body.name, copy.body.builtin, copy.body.owner_id], ['my_thermostat', 'My thermostat', false, alice.id]);
    const builtin = (await tp.api('GET', '/api/v1/profiles/thermostat', { token: alice.token })).body;
    assert.deepEqual(copy.body.fields, builtin.fields);
    assert.deepEqual(copy.body.commands, builtin.commands);
  });

  test('a user\'s own profiles: create, read, replace, delete; others get 404, admins manage all', async () => {
    const created = await tp.api('POST', '/api/v1/profiles', { token: alice.token, body: ownProfile });
    assert.equal(created.status, 201, created.text);
    const id = created.body.id as string;
    assert.deepEqual(created.body.fields[0], {
      key: 'water_temp', label: 'Water', unit: '°C', kind: 'measurement', min: 22, max: 30, decimals: 1, labels: {}, device_class: null, state_class: null,
      retention: { raw_days: null, minute_days: null, hour_days: null },
    });

    const again = await tp.api('POST', '/api/v1/profiles', { token: alice.token, body: ownProfile });
    assert.deepEqual([again.status, again.body.error.code], [409, 'PROFILE_EXISTS']);
    // Another user may describe the same device type for their own devices.
    const bobs = await tp.api('POST', '/api/v1/profiles', { token: bob.token, body: ownProfile });
    assert.equal(bobs.status, 201);

    assert.deepEqual((await tp.api('GET', `/api/v1/profiles/${id}`, { token: alice.token })).body, created.body);
    const hidden = await tp.api('GET', `/api/v1/profiles/${id}`, { token: bob.token });
    assert.deepEqual([hidden.status, hidden.body.error.code], [404, 'PROFILE_NOT_FOUND']);
    const bobList = (await tp.api('GET', '/api/v1/profiles', { token: bob.token })).body.profiles.filter((p: Json) => !p.builtin);
    assert.deepEqual(bobList.map((p: Json) => p.id), [bobs.body.id]);
    const adminList = (await tp.api('GET', '/api/v1/profiles', { token: admin })).body.profiles.filter((p: Json) => !p.builtin && p.device_type === 'aquarium');
    assert.deepEqual(new Set(adminList.map((p: Json) => p.id)), new Set([id, bobs.body.id]));

    const renamed = await tp.api('PUT', `/api/v1/profiles/${id}`, { token: alice.token, body: { ...ownProfile, name: 'Reef tank' } });
    assert.deepEqual([renamed.status, renamed.body.name, renamed.body.id], [200, 'Reef tank', id]);
    const byBob = await tp.api('PUT', `/api/v1/profiles/${id}`, { token: bob.token, body: ownProfile });
    assert.deepEqual([byBob.status, byBob.body.error.code], [404, 'PROFILE_NOT_FOUND']);
    const clash = await tp.api('PUT', `/api/v1/profiles/${id}`, { token: alice.token, body: { ...ownProfile, device_type: 'my_thermostat' } });
    assert.deepEqual([clash.status, clash.body.error.code], [409, 'PROFILE_EXISTS']);

    assert.equal((await tp.api('DELETE', `/api/v1/profiles/${bobs.body.id}`, { token: admin })).status, 204);
    assert.equal((await tp.api('GET', `/api/v1/profiles/${bobs.body.id}`, { token: bob.token })).status, 404);
  });

  test('a bad profile is refused with the part named', async () => {
    const cases: Array<[Json, RegExp]> = [
      [{ ...ownProfile, device_type: 'Bad Type!' }, /device_type/],
      [{ ...ownProfile, fields: [ownProfile.fields[0], ownProfile.fields[0]] }, /field keys must be unique/],
      [{ ...ownProfile, fields: [{ ...ownProfile.fields[0], min: 5, max: 1 }] }, /min must not be above max/],
      [{ ...ownProfile, views: { main_fields: ['nope'] } }, /views name the field "nope"/],
      [{ ...ownProfile, fields: [{ ...ownProfile.fields[0], kind: 'weird' }] }, /kind/],
      [{ ...ownProfile, desired: [{ key: 'm', label: 'M', type: 'enum' }] }, /an enum needs values/],
    ];
    for (const [body, message] of cases) {
      const res = await tp.api('POST', '/api/v1/profiles', { token: bob.token, body: { ...body, device_type: body.device_type === ownProfile.device_type ? 'other' : body.device_type } });
      assert.deepEqual([res.status, res.body.error.code], [400, 'VALIDATION_FAILED'], res.text);
      assert.match(res.body.error.message, message);
    }
  });

  test('commands are checked against the device\'s profile: 422 naming the parameter and range, nothing sent', async () => {
    await tp.newDevice(alice.token, { id: 'th-1', name: 'Living room', device_type: 'thermostat' });
    const send = (body: Json) => tp.api('POST', '/api/v1/devices/th-1/commands', { token: alice.token, body });

    const hot = await send({ command: 'set_target_temperature', parameters: { temperature: 80 } });
    assert.equal(hot.status, 422);
    assert.equal(hot.body.error.code, 'INVALID_COMMAND');
    assert.equal(hot.body.error.message, 'temperature must be between 5 and 35 °C (profile thermostat)');
    assert.deepEqual(hot.body.error.details.problems, [{ parameter: 'temperature', message: 'temperature must be between 5 and 35 °C', allowed: { min: 5, max: 35, unit: '°C' } }]);

    const missing = await send({ command: 'set_target_temperature', parameters: {} });
    assert.deepEqual([missing.status, missing.body.error.details.problems[0].parameter], [422, 'temperature']);
    const wrongType = await send({ command: 'set_target_temperature', parameters: { temperature: 'warm' } });
    assert.deepEqual([wrongType.status, wrongType.body.error.details.problems[0].message], [422, 'temperature must be a number between 5 and 35 °C']);
    const extra = await send({ command: 'turn_on', parameters: { speed: 3 } });
    assert.deepEqual([extra.status, extra.body.error.details.problems[0].parameter], [422, 'speed']);
    const unknown = await send({ command: 'open_window' });
    assert.deepEqual([unknown.status, unknown.body.error.message], [422, 'thermostat has no command "open_window" (known: set_target_temperature, turn_on, turn_off) (profile thermostat)']);

    const listed = await tp.api('GET', '/api/v1/devices/th-1/commands', { token: alice.token });
    assert.deepEqual(listed.body, [], 'nothing refused was stored or sent');

    const ok = await send({ command: 'set_target_temperature', parameters: { temperature: 21.5 } });
    assert.deepEqual([ok.status, ok.body.status], [201, 'pending']);
  });

  test('desired state is checked against the profile; removing a key is always allowed', async () => {
    const put = (desired: Json) => tp.api('PUT', '/api/v1/devices/th-1/state', { token: alice.token, body: { desired } });
    const bad = await put({ target_temperature: 2 });
    assert.deepEqual([bad.status, bad.body.error.code, bad.body.error.details.problems[0].parameter], [422, 'INVALID_DESIRED_STATE', 'target_temperature']);
    const unknown = await put({ colour: 'red' });
    assert.deepEqual([unknown.status, unknown.body.error.details.problems[0].message], [422, 'thermostat has no desired-state key "colour" (known: target_temperature)']);
    assert.equal((await tp.api('GET', '/api/v1/devices/th-1/state', { token: alice.token })).body.version, 0, 'nothing stored');
    const ok = await put({ target_temperature: 22 });
    assert.equal(ok.status, 200, ok.text);
    assert.equal((await put({ target_temperature: null })).status, 200);
  });

  test('a user\'s own profile takes precedence for their devices; an unknown type works, unprofiled', async () => {
    await tp.newDevice(alice.token, { id: 'tank-1', name: 'Tank', device_type: 'Aquarium' });
    const mode = await tp.api('POST', '/api/v1/devices/tank-1/commands', { token: alice.token, body: { command: 'set_mode', parameters: { mode: 'dusk' } } });
    assert.deepEqual([mode.status, mode.body.error.details.problems[0].allowed], [422, { values: ['day', 'night'] }]);

    const device = await tp.newDevice(alice.token, { id: 'odd-1', name: 'Odd', device_type: 'weather_balloon' });
    const t0 = Date.now() - 10 * MINUTE;
    const ingest = await tp.api('POST', '/api/v1/telemetry', { apiKey: device.api_key, body: { data: { altitude: 1200 }, timestamp: t0 } });
    assert.equal(ingest.status, 201, ingest.text);
    const any = await tp.api('POST', '/api/v1/devices/odd-1/commands', { token: alice.token, body: { command: 'release', parameters: { x: 1 } } });
    assert.equal(any.status, 201, 'an unprofiled device takes any command');
    const view = await tp.api('GET', '/api/v1/devices/odd-1/profile', { token: alice.token });
    assert.deepEqual(view.body, { device_id: 'odd-1', device_type: 'weather_balloon', profile: null, unprofiled_fields: ['altitude'], access: 'owner' });
    assert.equal((await tp.api('GET', '/api/v1/devices/odd-1/profile', { token: admin })).body.access, 'admin');
    const shared = await tp.api('POST', '/api/v1/devices/odd-1/access', { token: alice.token, body: { user_id: bob.id, level: 'read' } });
    assert.equal(shared.status, 201, shared.text);
    assert.equal((await tp.api('GET', '/api/v1/devices/odd-1/profile', { token: bob.token })).body.access, 'read');
    assert.equal((await tp.api('DELETE', `/api/v1/devices/odd-1/access/${bob.id}`, { token: alice.token })).status, 204);
    const hidden = await tp.api('GET', '/api/v1/devices/odd-1/profile', { token: bob.token });
    assert.deepEqual([hidden.status, hidden.body.error.code], [404, 'DEVICE_NOT_FOUND']);
  });

  test('readings outside a field\'s range are stored and flagged in history and latest', async () => {
    const device = await tp.newDevice(alice.token, { id: 'th-2', name: 'Attic', device_type: 'thermostat' });
    const t0 = Date.now() - 5 * MINUTE;
    const body = [
      { data: { temperature: 21.5, humidity: 40 }, timestamp: t0 },
      { data: { temperature: 95, humidity: 140, firmware_note: 'x' }, timestamp: t0 + 1000 },
    ];
    assert.equal((await tp.api('POST', '/api/v1/telemetry', { apiKey: device.api_key, body })).status, 201);
    const history = await tp.api('GET', '/api/v1/telemetry/th-2?start_time=-1h&order=asc', { token: alice.token });
    assert.deepEqual(
      history.body.points.map((p: Json) => [p.field, p.value, p.out_of_range ?? false]),
      [['humidity', 40, false], ['temperature', 21.5, false], ['firmware_note', 'x', false], ['humidity', 140, true], ['temperature', 95, true]],
    );
    const latest = await tp.api('GET', '/api/v1/telemetry/th-2/latest', { token: alice.token });
    const flagged = latest.body.points.filter((p: Json) => p.out_of_range).map((p: Json) => p.field).sort();
    assert.deepEqual(flagged, ['humidity', 'temperature']);
    const profile = await tp.api('GET', '/api/v1/devices/th-2/profile', { token: alice.token });
    assert.deepEqual([profile.body.profile.id, profile.body.unprofiled_fields], ['thermostat', ['firmware_note']]);
  });
});

// Home Assistant discovery end to end: a real platform (both storages) with HA_DISCOVERY=true, a
// client playing Home Assistant over TCP (logged in as a user), and real device clients.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { IClientOptions, MqttClient } from 'mqtt';
import { closed, connectMqtt, grantedCodes, messageMatching } from '../../helpers/mqtt.ts';
import { type TestPlatform, forEachStorage, startPlatform } from '../../helpers/platform.ts';
import { assertHaConfig } from './ha-schema.ts';

/** Home Assistant's MQTT client settings: protocolVersion 5 here is all MQTT 5 needs once the broker speaks it. */
const HA_CLIENT: IClientOptions = { protocolVersion: 5, clean: true };
const PASSWORD = 'user-password-1';
/** How the broker says no: MQTT 5 answers with reason code 0x87 (not authorized), 3.1.1 with 0x80 or by closing. */
const REFUSED_SUBSCRIBE = HA_CLIENT.protocolVersion === 5 ? 0x87 : 0x80;

/** Publishes and waits for the refusal: PUBACK 0x87 on MQTT 5 (the connection stays), the connection closing on 3.1.1. */
async function refusedPublish(client: MqttClient, topic: string, payload: string): Promise<void> {
  if (HA_CLIENT.protocolVersion !== 5) {
    const gone = closed(client);
    client.publish(topic, payload, { qos: 1 });
    return gone;
  }
  await assert.rejects(client.publishAsync(topic, payload, { qos: 1 }), (err: { code?: number }) => err.code === 0x87);
  assert.equal(client.connected, true);
}

/** Every message a client received, latest per topic, with a wait for a condition on them. */
function collect(client: MqttClient) {
  const latest = new Map<string, string>();
  const waiters: Array<() => void> = [];
  client.on('message', (topic, payload) => {
    latest.set(topic, payload.toString());
    for (const w of waiters.splice(0)) w();
  });
  return {
    latest,
    async until(check: () => boolean): Promise<void> {
      while (!check()) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    json(topic: string): Record<string, unknown> {
      return JSON.parse(latest.get(topic) ?? 'null') as Record<string, unknown>;
    },
  };
}

const cfg = (component: string, node: string, object: string) => `homeassistant/${component}/fluxgate_${node}/${object}/config`;

const THERMOSTAT_TOPICS = [
  cfg('climate', 'th-1', 'climate'),
  cfg('sensor', 'th-1', 'temperature'),
  cfg('sensor', 'th-1', 'humidity'),
  cfg('sensor', 'th-1', 'pressure'),
  cfg('binary_sensor', 'th-1', 'heating'),
];
const PLUG_TOPICS = [cfg('switch', 'plug__1', 'power__on'), cfg('sensor', 'plug__1', 'power'), cfg('sensor', 'plug__1', 'energy__usage')];
const LOCK_TOPICS = [cfg('lock', 'lock-1', 'locked'), cfg('sensor', 'lock-1', 'battery__level')];
const HVAC_TOPICS = [
  cfg('switch', 'hvac-1', 'enabled'),
  cfg('number', 'hvac-1', 'power'),
  cfg('sensor', 'hvac-1', 'power'),
  cfg('sensor', 'hvac-1', 'voltage'),
  cfg('sensor', 'hvac-1', 'current'),
  cfg('sensor', 'hvac-1', 'energy'),
  cfg('sensor', 'hvac-1', 'status'),
];
const ALICE_TOPICS = [...THERMOSTAT_TOPICS, ...PLUG_TOPICS, ...LOCK_TOPICS, ...HVAC_TOPICS];

forEachStorage(
  'Home Assistant discovery',
  (get) => {
    let tp: TestPlatform;
    let url: string;
    const clients: MqttClient[] = [];
    const keys: Record<string, string> = {};
    let alice: { token: string; id: string };
    let bob: { token: string; id: string };

    const connect = async (options: IClientOptions) => {
      const c = await connectMqtt(url, options);
      clients.push(c);
      return c;
    };
    const device = (id: string) => connect({ username: id, password: keys[id]! });

    before(async () => {
      tp = get();
      url = `mqtt://127.0.0.1:${tp.platform.mqtt!.port!}`;
      alice = await tp.newUser('alice', PASSWORD);
      bob = await tp.newUser('bob', PASSWORD);
      const make = async (token: string, id: string, type: string, extra: Record<string, unknown> = {}) => {
        keys[id] = (await tp.newDevice(token, { id, name: `Name of ${id}`, device_type: type, ...extra })).api_key;
      };
      await make(alice.token, 'th-1', 'thermostat', { firmware_version: '2.1.0' });
      await make(alice.token, 'plug_1', 'smart_plug');
      await make(alice.token, 'lock-1', 'door_lock');
      await make(alice.token, 'hvac-1', 'hvac');
      await make(alice.token, 'hidden-1', 'sensor', { metadata: { home_assistant: false } });
      await make(bob.token, 'bob-sensor', 'sensor');
    });
    after(() => {
      for (const c of clients) c.end(true);
    });

    test('a user sees the discovery configs of their own devices, each as Home Assistant documents it', { timeout: 30_000 }, async () => {
      const ha = await connect({ ...HA_CLIENT, username: 'alice', password: PASSWORD });
      const seen = collect(ha);
      assert.deepEqual(await grantedCodes(ha, ['homeassistant/#']), [1]);
      await seen.until(() => ALICE_TOPICS.every((t) => seen.latest.has(t)));
      for (const topic of ALICE_TOPICS) assertHaConfig(topic.split('/')[1]!, topic, seen.json(topic));

      const climate = seen.json(cfg('climate', 'th-1', 'climate'));
      assert.deepEqual(climate.device, { identifiers: ['fluxgate_th-1'], name: 'Name of th-1', manufacturer: 'Fluxgate', model: 'Thermostat', sw_version: '2.1.0' });
      assert.deepEqual([climate.modes, climate.temperature_command_topic, climate.current_temperature_topic, climate.min_temp, climate.max_temp], [
        ['heat', 'off'],
        'fluxgate/ha/th-1/set/target_temperature',
        'fluxgate/ha/th-1/state',
        5,
        35,
      ]);
      const energy = seen.json(cfg('sensor', 'hvac-1', 'energy'));
      assert.deepEqual([energy.unit_of_measurement, energy.device_class, energy.state_class], ['kWh', 'energy', 'total_increasing']);
      const perInterval = seen.json(cfg('sensor', 'plug__1', 'energy__usage'));
      assert.deepEqual([perInterval.state_class, perInterval.last_reset_value_template], ['total', '{{ value_json._last_reset["energy_usage"] }}']);
      assert.deepEqual([seen.json(cfg('sensor', 'th-1', 'temperature')).unit_of_measurement, seen.json(cfg('sensor', 'th-1', 'temperature')).state_class], ['°C', 'measurement']);
      assert.equal(seen.json(cfg('switch', 'plug__1', 'power__on')).command_topic, 'fluxgate/ha/plug_1/set/power_on');
      assert.equal(seen.json(cfg('lock', 'lock-1', 'locked')).payload_lock, 'LOCK');
      assert.deepEqual([seen.json(cfg('number', 'hvac-1', 'power')).min, seen.json(cfg('number', 'hvac-1', 'power')).max], [0, 10_000]);
      assert.equal(seen.json(cfg('climate', 'th-1', 'climate')).availability_topic, 'fluxgate/ha/th-1/availability');

      // Only alice's announced devices: not bob's, not the one whose metadata opts out.
      const nodes = new Set([...seen.latest.keys()].map((t) => t.split('/')[2]));
      assert.deepEqual([...nodes].sort(), ['fluxgate_hvac-1', 'fluxgate_lock-1', 'fluxgate_plug__1', 'fluxgate_th-1']);
      // A user is not an admin: device topics stay closed to them.
      assert.deepEqual(await grantedCodes(ha, ['devices/#', 'devices/th-1/data', '$SYS/#']), [REFUSED_SUBSCRIBE, REFUSED_SUBSCRIBE, REFUSED_SUBSCRIBE]);
    });

    test('states follow stored telemetry; a climate target and a switch command reach the device, and its reports come back', { timeout: 30_000 }, async () => {
      const ha = await connect({ ...HA_CLIENT, username: 'alice', password: PASSWORD });
      const seen = collect(ha);
      await ha.subscribeAsync(['fluxgate/ha/th-1/state', 'fluxgate/ha/th-1/availability', 'fluxgate/ha/plug_1/state'], { qos: 1 });

      const th = await device('th-1');
      await seen.until(() => seen.latest.get('fluxgate/ha/th-1/availability') === 'online');
      await th.subscribeAsync(['devices/th-1/state/desired', 'devices/th-1/commands'], { qos: 1 });
      await th.publishAsync('devices/th-1/data', JSON.stringify({ temperature: 20.5, target_temperature: 21, heating: true, humidity: 40 }), { qos: 1 });
      await seen.until(() => seen.latest.has('fluxgate/ha/th-1/state') && seen.json('fluxgate/ha/th-1/state').temperature === 20.5);
      assert.deepEqual(seen.json('fluxgate/ha/th-1/state'), { temperature: 20.5, target_temperature: 21, heating: 'ON', humidity: 40 });

      // Climate target: desired state on the device's own topic, then the device reports it.
      const desired = messageMatching(th, 'devices/th-1/state/desired', (b) => (b.desired as Record<string, unknown>).target_temperature === 23.5);
      await ha.publishAsync('fluxgate/ha/th-1/set/target_temperature', '23.5', { qos: 1 });
      await desired;
      await th.publishAsync('devices/th-1/data', JSON.stringify({ target_temperature: 23.5, heating: false }), { qos: 1 });
      await seen.until(() => seen.json('fluxgate/ha/th-1/state').target_temperature === 23.5);
      assert.equal(seen.json('fluxgate/ha/th-1/state').heating, 'OFF');

      // Climate mode off: the thermostat's turn_off command.
      const command = messageMatching(th, 'devices/th-1/commands', (b) => b.command === 'turn_off');
      await ha.publishAsync('fluxgate/ha/th-1/mode', 'off', { qos: 1 });
      assert.deepEqual((await command).parameters, {});

      // Switch: ON becomes desired power_on=true; the plug reports it back.
      const plug = await device('plug_1');
      await plug.subscribeAsync('devices/plug_1/state/desired', { qos: 1 });
      const on = messageMatching(plug, 'devices/plug_1/state/desired', (b) => (b.desired as Record<string, unknown>).power_on === true);
      await ha.publishAsync('fluxgate/ha/plug_1/set/power_on', 'ON', { qos: 1 });
      await on;
      await plug.publishAsync('devices/plug_1/data', JSON.stringify({ power_on: true, power: 60.5, energy_usage: 0.01 }), { qos: 1 });
      await seen.until(() => seen.json('fluxgate/ha/plug_1/state')?.power_on === 'ON');
      const plugState = seen.json('fluxgate/ha/plug_1/state');
      assert.equal(plugState.power, 60.5);
      assert.match((plugState._last_reset as Record<string, string>).energy_usage ?? '', /^\d{4}-\d\d-\d\dT/);

      const state = await tp.api('GET', '/api/v1/devices/th-1/state', { token: alice.token });
      assert.equal(state.body.desired.target_temperature, 23.5);

      // Renaming the device re-announces it; its availability stays what it is (online).
      await ha.subscribeAsync('homeassistant/climate/#', { qos: 1 });
      const renamed = await tp.api('PATCH', '/api/v1/devices/th-1', { token: alice.token, body: { name: 'Living room' } });
      assert.equal(renamed.status, 200);
      const climateTopic = cfg('climate', 'th-1', 'climate');
      await seen.until(() => (seen.json(climateTopic)?.device as { name?: string } | undefined)?.name === 'Living room');
      assert.equal(seen.latest.get('fluxgate/ha/th-1/availability'), 'online');
    });

    test('another user (logged in with an access token) sees none of these devices and may not control them', { timeout: 30_000 }, async () => {
      const other = await connect({ ...HA_CLIENT, username: 'token', password: bob.token });
      const seen = collect(other);
      await other.subscribeAsync(['homeassistant/#', 'fluxgate/ha/#'], { qos: 1 });
      // Bob's own device's configs arrive; by then every retained config was offered to him and filtered.
      await seen.until(() => seen.latest.has(cfg('sensor', 'bob-sensor', 'temperature')));
      const sensor = await device('bob-sensor');
      await sensor.publishAsync('devices/bob-sensor/data', JSON.stringify({ temperature: 18 }), { qos: 1 });
      await seen.until(() => seen.latest.has('fluxgate/ha/bob-sensor/state'));
      const foreign = [...seen.latest.keys()].filter((t) => !t.includes('bob-sensor'));
      assert.deepEqual(foreign, []);

      // Publishing to alice's thermostat is refused; the desired state stays.
      await refusedPublish(other, 'fluxgate/ha/th-1/set/target_temperature', '30');
      const state = await tp.api('GET', '/api/v1/devices/th-1/state', { token: alice.token });
      assert.notEqual(state.body.desired.target_temperature, 30);
      assert.equal((await tp.api('GET', '/api/v1/devices/th-1/state', { token: bob.token })).status, 404);
    });

    test('a device shared with a connected user is announced to them at once; read access still controls nothing', { timeout: 30_000 }, async () => {
      const other = await connect({ ...HA_CLIENT, username: 'bob', password: PASSWORD });
      const seen = collect(other);
      await other.subscribeAsync('homeassistant/#', { qos: 1 });
      await seen.until(() => seen.latest.has(cfg('sensor', 'bob-sensor', 'temperature')));
      const shared = await tp.api('POST', '/api/v1/devices/lock-1/access', { token: alice.token, body: { username: 'bob', level: 'read' } });
      assert.equal(shared.status, 201);
      await seen.until(() => LOCK_TOPICS.every((t) => seen.latest.has(t)));
      assertHaConfig('lock', LOCK_TOPICS[0]!, seen.json(LOCK_TOPICS[0]!));

      await refusedPublish(other, 'fluxgate/ha/lock-1/set/locked', 'UNLOCK');
      const state = await tp.api('GET', '/api/v1/devices/lock-1/state', { token: alice.token });
      assert.equal(state.body.desired.locked, undefined);
    });

    test('a bad command value is dropped without closing Home Assistant\'s connection', { timeout: 30_000 }, async () => {
      const ha = await connect({ ...HA_CLIENT, username: 'alice', password: PASSWORD });
      await ha.publishAsync('fluxgate/ha/th-1/set/target_temperature', 'warm', { qos: 1 });
      await ha.publishAsync('fluxgate/ha/th-1/set/target_temperature', '99', { qos: 1 });
      assert.equal(ha.connected, true);
      const state = await tp.api('GET', '/api/v1/devices/th-1/state', { token: alice.token });
      assert.equal(state.body.desired.target_temperature, 23.5);
    });

    test('the API tells the device page whether a device is announced', { timeout: 30_000 }, async () => {
      const shown = await tp.api('GET', '/api/v1/devices/th-1/home-assistant', { token: alice.token });
      assert.deepEqual(shown.body, { discovery: 'true', discovery_prefix: 'homeassistant', announced: true, metadata_key: 'home_assistant' });
      assert.equal((await tp.api('GET', '/api/v1/devices/hidden-1/home-assistant', { token: alice.token })).body.announced, false);
      assert.equal((await tp.api('GET', '/api/v1/devices/th-1/home-assistant', { token: bob.token })).status, 404);

      // Opting the hidden device in (its metadata) announces it at once.
      const ha = await connect({ ...HA_CLIENT, username: 'alice', password: PASSWORD });
      const seen = collect(ha);
      await ha.subscribeAsync('homeassistant/sensor/fluxgate_hidden-1/#', { qos: 1 });
      const patched = await tp.api('PATCH', '/api/v1/devices/hidden-1', { token: alice.token, body: { metadata: { home_assistant: true } } });
      assert.equal(patched.status, 200);
      await seen.until(() => seen.latest.has(cfg('sensor', 'hidden-1', 'temperature')));
      assert.equal((await tp.api('GET', '/api/v1/devices/hidden-1/home-assistant', { token: alice.token })).body.announced, true);
    });

    test('deleting a device clears its configs with empty retained payloads', { timeout: 30_000 }, async () => {
      const ha = await connect({ ...HA_CLIENT, username: 'alice', password: PASSWORD });
      const seen = collect(ha);
      await ha.subscribeAsync('homeassistant/#', { qos: 1 });
      await seen.until(() => PLUG_TOPICS.every((t) => seen.latest.get(t)?.startsWith('{')));
      const res = await tp.api('DELETE', '/api/v1/devices/plug_1?confirm=true', { token: alice.token });
      assert.equal(res.status, 204);
      await seen.until(() => PLUG_TOPICS.every((t) => seen.latest.get(t) === ''));

      // A Home Assistant starting now gets no retained config of it.
      const fresh = await connect({ ...HA_CLIENT, username: 'alice', password: PASSWORD });
      const later = collect(fresh);
      await fresh.subscribeAsync('homeassistant/#', { qos: 1 });
      await later.until(() => THERMOSTAT_TOPICS.every((t) => later.latest.has(t)) && HVAC_TOPICS.every((t) => later.latest.has(t)) && LOCK_TOPICS.every((t) => later.latest.has(t)));
      assert.deepEqual([...later.latest.keys()].filter((t) => t.includes('plug__1')), []);
    });

    test('a user without Home Assistant rights on the broker cannot reach device topics by publishing', { timeout: 30_000 }, async () => {
      const ha = await connect({ ...HA_CLIENT, username: 'alice', password: PASSWORD });
      await refusedPublish(ha, 'devices/th-1/data', JSON.stringify({ temperature: 99 }));
    });
  },
  { HA_DISCOVERY: 'true' },
);

describe('without HA_DISCOVERY', () => {
  let tp: TestPlatform;
  before(async () => {
    tp = await startPlatform('sqlite');
  });
  after(() => tp.stop());

  test('a user who is not an admin cannot connect to the broker, with a password or a token', { timeout: 30_000 }, async () => {
    const carol = await tp.newUser('carol', PASSWORD);
    const url = `mqtt://127.0.0.1:${tp.platform.mqtt!.port!}`;
    await assert.rejects(connectMqtt(url, { ...HA_CLIENT, username: 'carol', password: PASSWORD }), /Bad user ?name or password/i);
    await assert.rejects(connectMqtt(url, { ...HA_CLIENT, username: 'token', password: carol.token }), /Bad user ?name or password/i);
    assert.equal((await tp.api('GET', '/api/v1/devices/x/home-assistant', { token: carol.token })).status, 404);
  });
});

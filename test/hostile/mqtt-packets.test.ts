// Hostile MQTT traffic over a raw TCP socket and through mqtt.js: malformed packets, packets out of
// order, topics a device may not use, hostile payloads. Each case checks the exact refusal (closed
// connection, CONNACK code or dropped-and-counted message), that nothing was stored or delivered,
// and that the broker still serves a well-behaved device afterwards.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import { metricValue } from '../helpers/metric.ts';
import { closed, connectMqtt, grantedCodes, nextMessage } from '../helpers/mqtt.ts';
import { ADMIN_PASSWORD, type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';
import { RawMqtt } from '../helpers/raw-mqtt.ts';

const metric = (tp: TestPlatform, name: string, labels: Record<string, string>) => metricValue(tp.platform, name, labels);

/** A PUBLISH as raw bytes with a topic and payload of our choosing (mqtt.js refuses wildcards). */
function rawPublish(topic: string, payload: string, qos: 0 | 1 = 0, messageId = 1): Buffer {
  const t = Buffer.from(topic);
  const body = Buffer.concat([Buffer.from([t.length >> 8, t.length & 0xff]), t, qos ? Buffer.from([messageId >> 8, messageId & 0xff]) : Buffer.alloc(0), Buffer.from(payload)]);
  return Buffer.concat([Buffer.from([0x30 | (qos << 1), body.length]), body]);
}

describe('hostile MQTT packets and topics', { timeout: 60_000 }, () => {
  let tp: TestPlatform;
  let dev: { id: string; apiKey: string };
  let other: { id: string; apiKey: string };
  const clients: MqttClient[] = [];
  const raws: RawMqtt[] = [];

  const raw = async () => {
    const r = await RawMqtt.open(tp.mqttPort);
    raws.push(r);
    return r;
  };
  const storedFields = async (deviceId: string) => (await tp.platform.storage.latestPoints(deviceId)).map((p) => p.field).sort();
  /** The broker still takes a QoS 1 point from a well-behaved device and stores it. */
  const stillServes = async (field: string) => {
    const c = await connectMqtt(tp.mqttUrl, { username: other.id, password: other.apiKey });
    clients.push(c);
    await c.publishAsync(`devices/${other.id}/data`, JSON.stringify({ [field]: 1 }), { qos: 1 });
    assert.ok((await storedFields(other.id)).includes(field), `the broker still stores ${field}`);
    c.end(true);
  };

  before(async () => {
    // Short enough to test, long enough for a CONNECT sent at once on a busy machine.
    tp = await startTestPlatform({ MQTT_CONNECT_TIMEOUT_MS: '2000' });
    dev = await tp.createDevice('hostile-1');
    other = await tp.createDevice('honest-1');
  });
  after(async () => {
    for (const c of clients) c.end(true);
    for (const r of raws) r.destroy();
    await tp.stop();
  });

  test('a remaining length longer than 4 bytes closes the connection [MQTT-2.2.3]', async () => {
    const r = await raw();
    assert.equal(await r.handshake({ username: dev.id, password: dev.apiKey }), 0);
    r.send(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]));
    await r.closed;
    await stillServes('after_bad_length');
  });

  test('a packet announcing more than MQTT_MAX_PAYLOAD_BYTES is refused before its body arrives', async () => {
    const r = await raw();
    assert.equal(await r.handshake({ username: dev.id, password: dev.apiKey }), 0);
    // 200 MB announced, 10 bytes sent: the broker must not wait to buffer the rest.
    r.send(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x64, 0x00, 0x03, 0x61, 0x2f, 0x62, 0x7b]));
    await r.closed;
    await stillServes('after_huge_length');
  });

  test('reserved header flags close the connection [MQTT-2.2.2-2]: SUBSCRIBE without 0010 [MQTT-3.8.1-1], PUBLISH QoS 3 [MQTT-3.3.1-4]', async () => {
    const subscribeFlags0 = Buffer.from([0x80, 0x0a, 0x00, 0x01, 0x00, 0x05, ...Buffer.from('a/b/c'), 0x00]);
    const publishQos3 = Buffer.from([0x36, 0x07, 0x00, 0x03, ...Buffer.from('a/b'), 0x00, 0x01]);
    for (const bytes of [subscribeFlags0, publishQos3]) {
      const r = await raw();
      assert.equal(await r.handshake({ username: dev.id, password: dev.apiKey }), 0);
      r.send(bytes);
      await r.closed;
      assert.equal(r.packets.some((p) => p.cmd === 'suback'), false);
    }
  });

  test('a CONNECT with the reserved flag set is refused without CONNACK [MQTT-3.1.2-3]', async () => {
    const r = await raw();
    const good = Buffer.from(
      (await import('mqtt-packet')).default.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'reserved-flag', keepalive: 60, username: dev.id, password: Buffer.from(dev.apiKey) }),
    );
    // Connect flags follow the fixed header (2 bytes), protocol name (6) and level (1).
    good[9] = good[9]! | 0x01;
    r.send(good);
    await r.closed;
    assert.equal(r.packets.length, 0);
  });

  test('a PUBLISH before CONNECT closes the connection and stores nothing [MQTT-3.1.0-1]', async () => {
    const r = await raw();
    r.send(rawPublish(`devices/${dev.id}/data`, JSON.stringify({ before_connect: 1 }), 1));
    await r.closed;
    assert.equal(r.packets.length, 0);
    assert.equal((await storedFields(dev.id)).includes('before_connect'), false);
  });

  test('a second CONNECT closes the connection [MQTT-3.1.0-2]', async () => {
    const r = await raw();
    assert.equal(await r.handshake({ username: dev.id, password: dev.apiKey }), 0);
    r.connect({ username: other.id, password: other.apiKey });
    await r.closed;
    assert.equal(r.packets.filter((p) => p.cmd === 'connack').length, 1);
  });

  test('wildcards in a PUBLISH topic close the connection and reach no subscriber [MQTT-3.3.2-2]', async () => {
    const admin = await connectMqtt(tp.mqttUrl, { username: 'admin', password: ADMIN_PASSWORD });
    clients.push(admin);
    await admin.subscribeAsync('#', { qos: 0 });
    const seen: string[] = [];
    admin.on('message', (t) => seen.push(t));
    for (const topic of [`devices/${dev.id}/#`, `devices/+/data`, '#']) {
      const r = await raw();
      assert.equal(await r.handshake({ username: dev.id, password: dev.apiKey }), 0);
      r.send(rawPublish(topic, JSON.stringify({ wildcard: 1 })));
      await r.closed;
    }
    await stillServes('after_wildcards');
    assert.deepEqual(seen.filter((t) => t.includes('#') || t.includes('+')), []);
    assert.equal((await storedFields(dev.id)).includes('wildcard'), false);
  });

  test('a socket that never sends CONNECT is closed after MQTT_CONNECT_TIMEOUT_MS, a half-sent CONNECT too', async () => {
    const silent = await raw();
    const half = await raw();
    half.send(Buffer.from([0x10, 0x20, 0x00, 0x04, ...Buffer.from('MQ')]));
    await Promise.all([silent.closed, half.closed]);
    assert.equal(silent.packets.length + half.packets.length, 0);
  });

  test('a device may not publish commands, desired state, $SYS or another device’s topics: refused, counted, nothing delivered', async () => {
    const admin = await connectMqtt(tp.mqttUrl, { username: 'admin', password: ADMIN_PASSWORD });
    clients.push(admin);
    const seen: string[] = [];
    await admin.subscribeAsync(['devices/+/commands', 'devices/+/state/desired', '$SYS/#', `devices/${other.id}/#`], { qos: 0 });
    admin.on('message', (t, payload) => payload.toString().includes('fake-command') && seen.push(t));
    const topics = [
      `devices/${dev.id}/commands`,
      `devices/${dev.id}/state/desired`,
      `devices/${other.id}/commands`,
      `devices/${other.id}/status`,
      '$SYS/broker/clients/connected',
      `devices/${dev.id}`,
      `devices/${dev.id}/data/extra`,
    ];
    const before = await metric(tp, 'fluxgate_mqtt_refused_total', { action: 'publish' });
    for (const topic of topics) {
      const c = await connectMqtt(tp.mqttUrl, { username: dev.id, password: dev.apiKey });
      clients.push(c);
      const gone = closed(c);
      c.publish(topic, JSON.stringify({ id: 'fake-command', command: 'unlock', desired: { open: true } }), { qos: 1, retain: true });
      await gone;
    }
    assert.equal(await metric(tp, 'fluxgate_mqtt_refused_total', { action: 'publish' }), before + topics.length);
    // A late subscriber finds no retained message planted by the device either.
    const late = await connectMqtt(tp.mqttUrl, { username: 'admin', password: ADMIN_PASSWORD });
    clients.push(late);
    const planted: string[] = [];
    late.on('message', (t, payload) => payload.toString().includes('fake-command') && planted.push(t));
    await late.subscribeAsync([`devices/${dev.id}/#`, '$SYS/#'], { qos: 0 });
    await stillServes('after_acl');
    assert.deepEqual(seen, []);
    assert.deepEqual(planted, []);
  });

  test('a device may not subscribe to #, $SYS/#, +/+ or other devices (0x80) and receives nothing of them', async () => {
    const c = await connectMqtt(tp.mqttUrl, { username: dev.id, password: dev.apiKey });
    clients.push(c);
    const got: string[] = [];
    c.on('message', (t) => got.push(t));
    assert.deepEqual(await grantedCodes(c, ['#', '$SYS/#', '+/+/+', `devices/${other.id}/commands`, '$share/g/devices/+/data']), [128, 128, 128, 128, 128]);
    await stillServes('after_sub_refusal');
    assert.deepEqual(got, []);
  });

  test('client-id takeover by another credential is refused (CONNACK 2) and leaves the owner connected with its session', async () => {
    const owner = await connectMqtt(tp.mqttUrl, { username: dev.id, password: dev.apiKey, clientId: 'owned-id', clean: false });
    clients.push(owner);
    await owner.subscribeAsync(`devices/${dev.id}/commands`, { qos: 1 });
    for (const creds of [{ username: other.id, password: other.apiKey }, { username: 'admin', password: ADMIN_PASSWORD }]) {
      await assert.rejects(connectMqtt(tp.mqttUrl, { ...creds, clientId: 'owned-id', clean: false }), (err: Error & { code?: number }) => err.code === 2);
    }
    assert.equal(owner.connected, true, 'the owner was not kicked off');
    const command = nextMessage(owner, `devices/${dev.id}/commands`);
    const admin = await connectMqtt(tp.mqttUrl, { username: 'admin', password: ADMIN_PASSWORD });
    clients.push(admin);
    await admin.publishAsync(`devices/${dev.id}/commands`, JSON.stringify({ id: 'c-owner' }), { qos: 1 });
    assert.deepEqual(JSON.parse((await command).payload.toString()), { id: 'c-owner' });
  });

  test('hostile payloads are dropped and counted, the connection stays up and nothing is stored', async () => {
    const c = await connectMqtt(tp.mqttUrl, { username: dev.id, password: dev.apiKey });
    clients.push(c);
    const cases: Array<[string, string]> = [
      ['{"overflow":1e309}', 'invalid_telemetry'],
      ['{"neg_overflow":-1e309}', 'invalid_telemetry'],
      ['{"nan":NaN}', 'invalid_json'],
      ['{"inf":Infinity}', 'invalid_json'],
      [`{"data":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`, 'invalid_telemetry'],
      [`${'['.repeat(10_000)}${']'.repeat(10_000)}`, 'invalid_telemetry'],
      ['{"__proto__":{"polluted":1},"proto_key":1}', 'invalid_telemetry'],
      ['{"data":{"constructor":{"prototype":{"polluted":1}}}}', 'invalid_telemetry'],
      ['{"data":{"far_future":1},"timestamp":253402300800000}', 'invalid_telemetry'],
      ['{"data":{"before_1970":1},"timestamp":-1}', 'invalid_telemetry'],
      ['{"data":{"seconds_not_ms":1},"timestamp":1700000000}', 'invalid_telemetry'],
      ['{"data":{"nul":"a\\u0000b"}}', 'invalid_telemetry'],
      ['{"data":{"lone_surrogate_\\ud800":1}}', 'invalid_telemetry'],
      ['{"data":{"lone":"x\\ud800y"}}', 'invalid_telemetry'],
      [`{"data":{"${'n'.repeat(10_240)}":1}}`, 'invalid_telemetry'],
      ['{"data":{"🌡️":1}}', 'invalid_telemetry'],
      ['{"data":{"rtl\u202e":1}}', 'invalid_telemetry'],
      // Wrong types in a batch: the valid members of the batch are not written either.
      ['[{"ok":1,"timestamp":1700000000000},{"ok":{"nested":1},"timestamp":1700000001000}]', 'invalid_telemetry'],
      ['[{"ok":1,"timestamp":1700000000000},{"ok":null,"timestamp":1700000001000}]', 'invalid_telemetry'],
      ['[{"ok":1,"timestamp":1700000000000},{"ok":"x","timestamp":"yesterday"}]', 'invalid_telemetry'],
      ['\u0000\u0001\u0002', 'invalid_json'],
    ];
    const counts = async () => ({
      json: await metric(tp, 'fluxgate_mqtt_dropped_total', { reason: 'invalid_json' }),
      telemetry: await metric(tp, 'fluxgate_mqtt_dropped_total', { reason: 'invalid_telemetry' }),
    });
    const before = await counts();
    for (const [payload] of cases) await c.publishAsync(`devices/${dev.id}/data`, payload, { qos: 1 });
    const afterCounts = await counts();
    assert.deepEqual(
      { json: afterCounts.json - before.json, telemetry: afterCounts.telemetry - before.telemetry },
      { json: cases.filter(([, r]) => r === 'invalid_json').length, telemetry: cases.filter(([, r]) => r === 'invalid_telemetry').length },
    );
    assert.equal(c.connected, true);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(await storedFields(dev.id), []);
    await c.publishAsync(`devices/${dev.id}/data`, JSON.stringify({ note: '🌡️ 温度 חיישן' }), { qos: 1 });
    assert.deepEqual((await tp.platform.storage.latestPoints(dev.id)).map((p) => [p.field, p.value]), [['note', '🌡️ 温度 חיישן']]);
  });

  test('a payload over MQTT_MAX_PAYLOAD_BYTES (a 1M-item array) closes the connection and stores nothing', async () => {
    const c = await connectMqtt(tp.mqttUrl, { username: dev.id, password: dev.apiKey });
    clients.push(c);
    const gone = closed(c);
    c.publish(`devices/${dev.id}/data`, `[${Array(1_000_000).fill('{"huge":1}').join(',')}]`, { qos: 1 });
    await gone;
    assert.equal((await storedFields(dev.id)).includes('huge'), false);
    await stillServes('after_huge');
  });
});

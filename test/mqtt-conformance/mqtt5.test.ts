// MQTT 5 conformance of the embedded broker: what CONNACK advertises, assigned client identifiers,
// Server Keep Alive, and the reason codes that answer a refused PUBLISH or SUBSCRIBE where MQTT
// 3.1.1 could only close the connection. Each test names the normative statement(s) of the OASIS
// MQTT 5.0 standard it checks; mqtt.js v5 is used where a client library may speak, the raw packet
// client where the exact packet on the wire is the point.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Packet } from 'mqtt-packet';
import { ADMIN_PASSWORD, type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';
import { RawMqtt } from '../helpers/raw-mqtt.ts';

type Ack = Packet & { messageId?: number; reasonCode?: number; properties?: Record<string, unknown> };
const ADMIN = { username: 'admin', password: ADMIN_PASSWORD };
const MAX_PAYLOAD = 1024;
const RATE = 3;

function connect5(url: string, options: IClientOptions): Promise<MqttClient> {
  return mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000, ...options }, false);
}

describe('MQTT 5 conformance', { timeout: 60_000 }, () => {
  let tp: TestPlatform;
  const clients: MqttClient[] = [];
  const raws: RawMqtt[] = [];
  const client = async (options: IClientOptions = ADMIN) => {
    const c = await connect5(tp.mqttUrl, options);
    clients.push(c);
    return c;
  };
  /** A raw MQTT 5 connection that completed its handshake with `options`. */
  const raw = async (options: Parameters<RawMqtt['handshake']>[0] = ADMIN) => {
    const r = await RawMqtt.open(tp.mqttPort, 5);
    raws.push(r);
    assert.equal(await r.handshake(options), 0);
    return r;
  };
  const device = async (id: string) => {
    const d = await tp.createDevice(id);
    return { ...d, login: { username: d.id, password: d.apiKey } };
  };
  const stored = async (deviceId: string) => (await tp.platform.storage.latestPoints(deviceId)).map((p) => `${p.field}=${p.value}`).sort();
  const publish1 = (r: RawMqtt, topic: string, payload: string, messageId: number) =>
    r.send({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, messageId, retain: false, dup: false });
  const puback = async (r: RawMqtt, messageId: number) => (await r.until((p) => p.cmd === 'puback' && (p as Ack).messageId === messageId)) as Ack;

  before(async () => {
    tp = await startTestPlatform({
      MQTT_MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD),
      MQTT_RECEIVE_MAXIMUM: '8',
      MQTT_TOPIC_ALIAS_MAXIMUM: '4',
      MQTT_MAX_KEEPALIVE_S: '30',
      MQTT_RATE_LIMIT_DEVICE: `${RATE}/3600`,
    });
  });
  after(async () => {
    for (const c of clients) c.end(true);
    for (const r of raws) r.destroy();
    await tp.stop();
  });

  test('CONNACK reason code 0x00 [MQTT-3.2.2-8] advertises Receive Maximum, Maximum Packet Size, Topic Alias Maximum and shared subscriptions available', async () => {
    const r = await raw();
    const ack = (await r.next('connack')) as Ack;
    const p = ack.properties ?? {};
    assert.equal(p.receiveMaximum, 8);
    assert.equal(p.topicAliasMaximum, 4);
    assert.ok(typeof p.maximumPacketSize === 'number' && p.maximumPacketSize > MAX_PAYLOAD, `maximumPacketSize ${String(p.maximumPacketSize)}`);
    assert.equal(p.sharedSubscriptionAvailable, true);
    // Absent means available: admins may use wildcards.
    assert.equal(p.wildcardSubscriptionAvailable, undefined);
  });

  test('a zero-length client id is assigned a new one, returned in CONNACK [MQTT-3.1.3-6] [MQTT-3.2.2-16], also with a session that outlives the connection', async () => {
    const ids = new Set<string>();
    for (const properties of [undefined, { sessionExpiryInterval: 60 }]) {
      const r = await RawMqtt.open(tp.mqttPort, 5);
      raws.push(r);
      assert.equal(await r.handshake({ ...ADMIN, clientId: '', clean: true, ...(properties ? { properties } : {}) }), 0);
      const ack = (await r.next('connack')) as Ack;
      const assigned = ack.properties?.assignedClientIdentifier;
      assert.ok(typeof assigned === 'string' && assigned.length > 0, 'an assigned client identifier');
      ids.add(assigned);
    }
    assert.equal(ids.size, 2, 'each is new');
  });

  test('Server Keep Alive: a client asking for none, or for more than MQTT_MAX_KEEPALIVE_S, is given that maximum [MQTT-3.2.2-21]; one within it keeps its own [MQTT-3.2.2-22]', async () => {
    for (const [asked, given] of [[0, 30], [600, 30], [20, undefined]] as const) {
      const r = await RawMqtt.open(tp.mqttPort, 5);
      raws.push(r);
      assert.equal(await r.handshake({ ...ADMIN, keepalive: asked }), 0);
      assert.equal(((await r.next('connack')) as Ack).properties?.serverKeepAlive, given, `keepalive ${asked}`);
    }
  });

  test('a device PUBLISH to a topic it may not use gets PUBACK 0x87 with a reason string [MQTT-3.4.2-1]; the connection stays and later messages are stored', async () => {
    const d = await device('v5-acl');
    const r = await raw(d.login);
    publish1(r, 'devices/someone-else/data', '{"t":1}', 7);
    const refused = await puback(r, 7);
    assert.equal(refused.reasonCode, 0x87);
    assert.match(String(refused.properties?.reasonString), /topic not allowed/);
    publish1(r, `devices/${d.id}/data`, '{"t":2}', 8);
    assert.equal((await puback(r, 8)).reasonCode ?? 0, 0);
    assert.equal(r.isClosed, false);
    assert.deepEqual(await stored(d.id), ['t=2']);
  });

  test('mqtt.js v5: a refused QoS 1 PUBLISH rejects with reason code 0x87 and the client stays connected', async () => {
    const d = await device('v5-acl-js');
    const c = await client(d.login);
    await assert.rejects(c.publishAsync('devices/someone-else/data', '{"t":1}', { qos: 1 }), (err: Error & { code?: number }) => err.code === 0x87);
    await c.publishAsync(`devices/${d.id}/data`, '{"t":3}', { qos: 1 });
    assert.equal(c.connected, true);
    assert.deepEqual(await stored(d.id), ['t=3']);
  });

  test('PUBACKs go out in the order the PUBLISH packets came, refused ones included [MQTT-4.6.0-2]', async () => {
    const d = await device('v5-order');
    const r = await raw(d.login);
    publish1(r, `devices/${d.id}/data`, '{"a":1}', 1);
    publish1(r, 'devices/someone-else/data', '{"a":2}', 2);
    publish1(r, `devices/${d.id}/data`, '{"b":3}', 3);
    await puback(r, 3);
    const acks = r.packets.filter((p) => p.cmd === 'puback') as Ack[];
    assert.deepEqual(acks.map((a) => [a.messageId, a.reasonCode ?? 0]), [[1, 0], [2, 0x87], [3, 0]]);
    assert.deepEqual(await stored(d.id), ['a=1', 'b=3']);
  });

  test(`a device over MQTT_RATE_LIMIT_DEVICE gets PUBACK 0x97 (quota exceeded) [MQTT-3.4.2-1] and stays connected`, async () => {
    const d = await device('v5-rate');
    const r = await raw(d.login);
    for (let i = 1; i <= RATE + 2; i++) publish1(r, `devices/${d.id}/data`, `{"n${i}":${i}}`, i);
    const codes = [];
    for (let i = 1; i <= RATE + 2; i++) codes.push((await puback(r, i)).reasonCode ?? 0);
    assert.deepEqual(codes, [...Array<number>(RATE).fill(0), 0x97, 0x97]);
    assert.equal(r.isClosed, false);
    assert.equal((await stored(d.id)).length, RATE);
  });

  test('a QoS 0 PUBLISH over the rate gets DISCONNECT 0x96 (message rate too high) [MQTT-3.14.2-1]', async () => {
    const d = await device('v5-rate-q0');
    const r = await raw(d.login);
    for (let i = 1; i <= RATE + 1; i++) r.send({ cmd: 'publish', topic: `devices/${d.id}/data`, payload: Buffer.from(`{"q${i}":${i}}`), qos: 0, retain: false, dup: false });
    const disconnect = (await r.next('disconnect')) as Ack;
    assert.equal(disconnect.reasonCode, 0x96);
    await r.closed;
  });

  test('a payload over MQTT_MAX_PAYLOAD_BYTES gets DISCONNECT 0x95 (packet too large) [MQTT-3.14.2-1]; nothing is stored', async () => {
    const d = await device('v5-big');
    const r = await raw(d.login);
    publish1(r, `devices/${d.id}/data`, JSON.stringify({ big: 'x'.repeat(MAX_PAYLOAD) }), 1);
    assert.equal(((await r.next('disconnect')) as Ack).reasonCode, 0x95);
    await r.closed;
    assert.deepEqual(await stored(d.id), []);
  });

  test('a packet over the advertised Maximum Packet Size gets DISCONNECT 0x95 before its body is read [MQTT-3.2.2-15]', async () => {
    const r = await raw();
    const max = ((await r.next('connack')) as Ack).properties?.maximumPacketSize as number;
    // A PUBLISH header announcing more than the maximum, then a trickle of its body.
    const remaining = max + 10;
    const length: number[] = [];
    for (let n = remaining; n > 0; n = Math.floor(n / 128)) length.push((n % 128) | (n >= 128 ? 0x80 : 0));
    r.send(Buffer.concat([Buffer.from([0x30, ...length]), Buffer.from([0, 1, 0x61])]));
    assert.equal(((await r.next('disconnect')) as Ack).reasonCode, 0x95);
    await r.closed;
  });

  test('a refused SUBSCRIBE filter gets 0x87 in SUBACK, the others are granted, in filter order [MQTT-3.9.3-1] [MQTT-3.9.3-2]', async () => {
    const d = await device('v5-sub');
    const r = await raw(d.login);
    r.send({ cmd: 'subscribe', messageId: 5, subscriptions: [{ topic: `devices/${d.id}/commands`, qos: 1 }, { topic: 'devices/+/data', qos: 1 }] });
    const suback = (await r.next('suback')) as Packet & { granted: number[] };
    assert.deepEqual(suback.granted, [1, 0x87]);
  });

  test('Topic Alias: a PUBLISH may set an alias up to Topic Alias Maximum and then publish by alias [MQTT-3.2.2-17]; one above it gets DISCONNECT 0x94', async () => {
    const sub = await client();
    await sub.subscribeAsync('v5/alias', { qos: 1 });
    const got: string[] = [];
    const both = new Promise<void>((resolve) =>
      sub.on('message', (topic, payload) => {
        if (topic === 'v5/alias' && got.push(payload.toString()) === 2) resolve();
      }),
    );
    const r = await raw();
    r.send({ cmd: 'publish', topic: 'v5/alias', payload: Buffer.from('one'), qos: 1, messageId: 1, retain: false, dup: false, properties: { topicAlias: 4 } });
    r.send({ cmd: 'publish', topic: '', payload: Buffer.from('two'), qos: 1, messageId: 2, retain: false, dup: false, properties: { topicAlias: 4 } });
    await puback(r, 2);
    await both;
    assert.deepEqual(got, ['one', 'two']);
    r.send({ cmd: 'publish', topic: 'v5/alias', payload: Buffer.from('three'), qos: 0, retain: false, dup: false, properties: { topicAlias: 5 } });
    assert.equal(((await r.next('disconnect')) as Ack).reasonCode, 0x94);
  });

  test('MQTT 5 over WebSocket at /mqtt: a device connects and its QoS 1 data is stored', async () => {
    const d = await device('v5-ws');
    const ws = await connect5(`ws://127.0.0.1:${tp.port}/mqtt`, d.login);
    clients.push(ws);
    await ws.publishAsync(`devices/${d.id}/data`, '{"ws":1}', { qos: 1 });
    assert.deepEqual(await stored(d.id), ['ws=1']);
  });

  test('MQTT 3.1.1 is unchanged beside MQTT 5: a refused PUBLISH still closes a 3.1.1 connection [MQTT-3.3.5-2]', async () => {
    const d = await device('v311-beside');
    const r = await RawMqtt.open(tp.mqttPort, 4);
    raws.push(r);
    assert.equal(await r.handshake(d.login), 0);
    r.send({ cmd: 'publish', topic: 'devices/someone-else/data', payload: Buffer.from('{"t":1}'), qos: 1, messageId: 1, retain: false, dup: false });
    await r.closed;
    assert.equal(r.packets.some((p) => p.cmd === 'puback'), false);
  });

  // Fluxgate's corrections of aedes 1.2 (mqtt-overlap.ts, redelivery with DUP) hold for MQTT 5 too.
  test('overlapping subscriptions, one of them an exact filter: delivered at the highest matching QoS [MQTT-3.3.4-2]', async () => {
    const sub = await client();
    await sub.subscribeAsync({ 'conf5/overlap/x': { qos: 0 }, 'conf5/+/x': { qos: 2 }, 'conf5/overlap/+': { qos: 1 } });
    const got: Array<[string, number]> = [];
    sub.on('message', (topic, payload, packet) => topic === 'conf5/overlap/x' && got.push([payload.toString(), packet.qos]));
    const pub = await client();
    await pub.publishAsync('conf5/overlap/x', 'o', { qos: 2 });
    await pub.publishAsync('conf5/overlap/x', 'p', { qos: 1 });
    for (let i = 0; i < 250 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    // Order is kept only within one QoS [MQTT-4.6.0-6]: sorted before comparing.
    assert.deepEqual(got.sort(), [
      ['o', 2],
      ['p', 1],
    ]);
  });

  test('an unacknowledged QoS 1 message is resent on reconnect with its identifier and DUP 1 [MQTT-4.4.0-1] [MQTT-3.3.1-1]', async () => {
    const session = { ...ADMIN, clientId: 'conf5-redeliver', clean: false, properties: { sessionExpiryInterval: 300 } };
    const first = await raw(session);
    first.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'conf5/redeliver', qos: 1 }] });
    await first.next('suback');
    const pub = await client();
    await pub.publishAsync('conf5/redeliver', 'again', { qos: 1 });
    const sent = (await first.until((p) => p.cmd === 'publish')) as Ack & { dup: boolean; payload: Buffer };
    assert.equal(sent.dup, false);
    first.destroy(); // no PUBACK
    const back = await RawMqtt.open(tp.mqttPort, 5);
    raws.push(back);
    back.connect(session);
    const resent = (await back.until((p) => p.cmd === 'publish')) as Ack & { dup: boolean; payload: Buffer };
    assert.deepEqual([resent.payload.toString(), resent.messageId, resent.dup], ['again', sent.messageId, true]);
    back.send({ cmd: 'puback', messageId: resent.messageId! });
    back.send({ cmd: 'disconnect', properties: { sessionExpiryInterval: 0 } });
    await back.closed;
  });
});

test('a QoS 1 message queued for an offline MQTT 5 session keeps its User Properties [MQTT-3.3.2-17] and Content Type [MQTT-3.3.2-20] across a broker restart', { timeout: 60_000 }, async () => {
  const first = await startTestPlatform();
  const dataDir = first.dataDir;
  let tp: TestPlatform | undefined = first;
  try {
    const session = { ...ADMIN, clientId: 'v5-queued', clean: false, properties: { sessionExpiryInterval: 3600 } };
    const sub = await RawMqtt.open(first.mqttPort, 5);
    assert.equal(await sub.handshake(session), 0);
    sub.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'v5/queued', qos: 1 }] });
    await sub.next('suback');
    sub.destroy();
    await sub.closed;
    const pub = await connect5(first.mqttUrl, ADMIN);
    await pub.publishAsync('v5/queued', '{"on":true}', { qos: 1, properties: { userProperties: { origin: 'test' }, contentType: 'application/json' } });
    await pub.endAsync();
    await first.stop({ keepData: true });
    tp = await startTestPlatform({}, dataDir);
    const back = await RawMqtt.open(tp.mqttPort, 5);
    assert.equal(await back.handshake(session), 0);
    const msg = (await back.next('publish')) as Packet & { payload: Buffer; properties?: { userProperties?: Record<string, unknown>; contentType?: string } };
    back.destroy();
    assert.equal(msg.payload.toString(), '{"on":true}');
    assert.deepEqual({ ...msg.properties?.userProperties }, { origin: 'test' });
    assert.equal(msg.properties?.contentType, 'application/json');
  } finally {
    await tp?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

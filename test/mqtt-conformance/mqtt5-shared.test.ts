// Shared subscriptions ($share/{group}/{filter}) on the embedded broker: each message goes to one
// member of the group, in turn, at the QoS that member was granted. Each test names the normative
// statement(s) of the OASIS MQTT 5.0 standard it checks; mqtt.js v5 (and v4, which Mosquitto and
// EMQX also serve $share to) where a client library may speak, the raw packet client where the
// packet on the wire is the point.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Packet } from 'mqtt-packet';
import { ADMIN_PASSWORD, type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';
import { RawMqtt } from '../helpers/raw-mqtt.ts';

const ADMIN = { username: 'admin', password: ADMIN_PASSWORD };
type Publish = Packet & { topic: string; payload: Buffer; qos: number; messageId?: number; properties?: { userProperties?: Record<string, unknown> } };

describe('MQTT 5 shared subscriptions', { timeout: 60_000 }, () => {
  let tp: TestPlatform;
  const clients: MqttClient[] = [];
  const raws: RawMqtt[] = [];

  const raw = async (options: Parameters<RawMqtt['handshake']>[0] = ADMIN, version: 4 | 5 = 5) => {
    const r = await RawMqtt.open(tp.mqttPort, version);
    raws.push(r);
    assert.equal(await r.handshake(options), 0);
    return r;
  };
  const subscribe = async (r: RawMqtt, topic: string, qos: 0 | 1 = 1, messageId = 1, options: { nl?: boolean } = {}) => {
    r.send({ cmd: 'subscribe', messageId, subscriptions: [{ topic, qos, ...options }] });
    return ((await r.until((p) => p.cmd === 'suback' && (p as { messageId?: number }).messageId === messageId)) as Packet & { granted: number[] }).granted;
  };
  const client = async (options: IClientOptions) => {
    const c = await mqtt.connectAsync(tp.mqttUrl, { reconnectPeriod: 0, connectTimeout: 5000, ...options }, false);
    clients.push(c);
    return c;
  };
  const publishes = (r: RawMqtt, topicPrefix: string) => r.packets.filter((p) => p.cmd === 'publish' && (p as Publish).topic.startsWith(topicPrefix)) as Publish[];
  /** Waits until `members` together received `n` messages under `topicPrefix`; returns each one's payloads. */
  const received = async (members: RawMqtt[], topicPrefix: string, n: number) => {
    for (;;) {
      const each = members.map((m) => publishes(m, topicPrefix).map((p) => p.payload.toString()));
      if (each.flat().length >= n) return each;
      await Promise.race(members.map((m, i) => m.until(() => publishes(m, topicPrefix).length > each[i]!.length)));
    }
  };

  before(async () => {
    tp = await startTestPlatform();
  });
  after(async () => {
    for (const c of clients) c.end(true);
    for (const r of raws) r.destroy();
    await tp.stop();
  });

  test('CONNACK advertises Shared Subscription Available = 1', async () => {
    const r = await raw();
    const ack = (await r.next('connack')) as Packet & { properties?: { sharedSubscriptionAvailable?: boolean } };
    assert.equal(ack.properties?.sharedSubscriptionAvailable, true);
  });

  test('each message goes to exactly one member of the group, in turn [MQTT-4.8.2-1]; another group and a plain subscriber get every message', async () => {
    const a = await raw();
    const b = await raw();
    const otherGroup = await raw();
    const plain = await raw();
    assert.deepEqual(await subscribe(a, '$share/workers/v5/shared/rr/+'), [1]);
    assert.deepEqual(await subscribe(b, '$share/workers/v5/shared/rr/+'), [1]);
    assert.deepEqual(await subscribe(otherGroup, '$share/audit/v5/shared/rr/+'), [1]);
    assert.deepEqual(await subscribe(plain, 'v5/shared/rr/+'), [1]);
    const pub = await client({ ...ADMIN, protocolVersion: 5 });
    for (let i = 1; i <= 4; i++) await pub.publishAsync(`v5/shared/rr/${i}`, `m${i}`, { qos: 1 });
    const [toA, toB] = await received([a, b], 'v5/shared/rr/', 4);
    assert.equal(toA!.length, 2, `a got ${toA!.join()}`);
    assert.equal(toB!.length, 2, `b got ${toB!.join()}`);
    assert.deepEqual([...toA!, ...toB!].sort(), ['m1', 'm2', 'm3', 'm4']);
    assert.deepEqual((await received([otherGroup], 'v5/shared/rr/', 4))[0]!.sort(), ['m1', 'm2', 'm3', 'm4']);
    assert.deepEqual((await received([plain], 'v5/shared/rr/', 4))[0]!.sort(), ['m1', 'm2', 'm3', 'm4']);
  });

  test('each member gets messages at the QoS it was granted [MQTT-4.8.2-3]; properties travel unaltered [MQTT-3.3.2-17]', async () => {
    const q0 = await raw();
    const q1 = await raw();
    assert.deepEqual(await subscribe(q0, '$share/qos/v5/shared/qos', 0), [0]);
    assert.deepEqual(await subscribe(q1, '$share/qos/v5/shared/qos', 1), [1]);
    const pub = await client({ ...ADMIN, protocolVersion: 5 });
    for (let i = 1; i <= 2; i++) await pub.publishAsync('v5/shared/qos', `q${i}`, { qos: 1, properties: { userProperties: { n: String(i) } } });
    await received([q0, q1], 'v5/shared/qos', 2);
    const [at0] = publishes(q0, 'v5/shared/qos');
    const [at1] = publishes(q1, 'v5/shared/qos');
    assert.equal(at0!.qos, 0);
    assert.equal(at1!.qos, 1);
    for (const p of [at0!, at1!]) assert.equal(p.properties?.userProperties?.n, p.payload.toString().slice(1));
  });

  test('a member that unsubscribes or disconnects gets no more; the others share all [MQTT-3.10.4-2]', async () => {
    const a = await raw();
    const b = await raw();
    const c = await raw();
    for (const r of [a, b, c]) assert.deepEqual(await subscribe(r, '$share/leave/v5/shared/leave'), [1]);
    a.send({ cmd: 'unsubscribe', messageId: 2, unsubscriptions: ['$share/leave/v5/shared/leave'] });
    assert.deepEqual(((await a.next('unsuback')) as Packet & { granted: number[] }).granted, [0]);
    b.destroy();
    await b.closed;
    while (tp.platform.mqtt!.broker!.shared.membersOf('leave', 'v5/shared/leave') !== 1) await new Promise((resolve) => setTimeout(resolve, 20));
    const pub = await client({ ...ADMIN, protocolVersion: 5 });
    for (let i = 1; i <= 3; i++) await pub.publishAsync('v5/shared/leave', `l${i}`, { qos: 1 });
    assert.deepEqual((await received([c], 'v5/shared/leave', 3))[0], ['l1', 'l2', 'l3']);
    assert.deepEqual(publishes(a, 'v5/shared/leave'), []);
  });

  test('MQTT 3.1.1 (mqtt.js v4) and MQTT 5 consumers share device telemetry on $share/{group}/devices/+/data', async () => {
    const d = await tp.createDevice('shared-src');
    const v4 = await client({ ...ADMIN, protocolVersion: 4 });
    const v5 = await client({ ...ADMIN, protocolVersion: 5 });
    const got: string[] = [];
    for (const [name, c] of [['v4', v4], ['v5', v5]] as const) {
      c.on('message', (topic, payload) => {
        if (topic === `devices/${d.id}/data`) got.push(`${name}:${payload.toString()}`);
      });
      const granted = await c.subscribeAsync(`$share/ingest/devices/+/data`, { qos: 1 });
      assert.equal(granted[0]?.qos, 1);
    }
    const dev = await client({ username: d.id, password: d.apiKey, protocolVersion: 5 });
    for (let i = 1; i <= 4; i++) await dev.publishAsync(`devices/${d.id}/data`, `{"n":${i}}`, { qos: 1 });
    while (got.length < 4) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(got.map((g) => g.slice(3)).sort(), ['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}']);
    assert.equal(got.filter((g) => g.startsWith('v4:')).length, 2, got.join(' '));
  });

  test('only who may read the whole filter may share it: a device gets 0x87 for devices/+/data [MQTT-3.9.3-2], and may share its own commands', async () => {
    const d = await tp.createDevice('shared-dev');
    const r = await raw({ username: d.id, password: d.apiKey });
    assert.deepEqual(await subscribe(r, '$share/g/devices/+/data'), [0x87]);
    assert.deepEqual(await subscribe(r, `$share/g/devices/${d.id}/commands`, 1, 2), [1]);
  });

  test('a malformed shared filter is refused in SUBACK, each with its code [MQTT-4.8.2-1] [MQTT-4.8.2-2]', async () => {
    const r = await raw();
    r.send({ cmd: 'subscribe', messageId: 3, subscriptions: ['$share/g+/a', '$share//a', '$share/g', '$share/g/v5/ok'].map((topic) => ({ topic, qos: 1 as const })) });
    assert.deepEqual(((await r.next('suback')) as Packet & { granted: number[] }).granted, [0x87, 0x87, 0x87, 1]);
  });

  test('No Local on a shared subscription is a Protocol Error: DISCONNECT 0x82 [MQTT-3.8.3-4]', async () => {
    const r = await raw();
    r.send({ cmd: 'subscribe', messageId: 4, subscriptions: [{ topic: '$share/g/v5/nl', qos: 1, nl: true }] });
    assert.equal(((await r.next('disconnect')) as Packet & { reasonCode?: number }).reasonCode, 0x82);
    await r.closed;
  });

  test('a persistent session stays a member while offline: with no member connected, a QoS 1 message waits in its session [MQTT-3.1.2-23] [MQTT-4.8.2-3]', async () => {
    const session = { ...ADMIN, clientId: 'v5-shared-session', clean: false, properties: { sessionExpiryInterval: 600 } };
    const first = await raw(session);
    assert.deepEqual(await subscribe(first, '$share/persist/v5/shared/persist'), [1]);
    first.destroy();
    await first.closed;
    const connected = (tp.platform.mqtt!.broker!.aedes as unknown as { clients: Record<string, unknown> }).clients;
    while (connected[session.clientId]) await new Promise((resolve) => setTimeout(resolve, 20));
    const pub = await client({ ...ADMIN, protocolVersion: 5 });
    await pub.publishAsync('v5/shared/persist', 'p0', { qos: 1 });
    const back = await RawMqtt.open(tp.mqttPort, 5);
    raws.push(back);
    assert.equal(await back.handshake(session), 0);
    assert.equal(((await back.next('connack')) as Packet & { sessionPresent?: boolean }).sessionPresent, true);
    await pub.publishAsync('v5/shared/persist', 'p1', { qos: 1 });
    assert.deepEqual((await received([back], 'v5/shared/persist', 2))[0], ['p0', 'p1']);
    assert.equal(tp.platform.mqtt!.broker!.shared.membersOf('persist', 'v5/shared/persist'), 1);
  });
});

// MQTT 3.1.1 conformance of the embedded broker: client ids, sessions, offline queueing,
// redelivery, will messages and keepalive. Each test names the normative statement(s) of the OASIS
// MQTT 3.1.1 standard it checks. Admin credentials are used so the device ACL does not interfere.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import type { Packet } from 'mqtt-packet';
import { connectMqtt, nextMessage } from '../helpers/mqtt.ts';
import { ADMIN_PASSWORD, type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';
import { RawMqtt } from '../helpers/raw-mqtt.ts';

type Pub = Packet & { cmd: 'publish'; topic: string; payload: Buffer; qos: number; dup: boolean; messageId?: number };
const ADMIN = { username: 'admin', password: ADMIN_PASSWORD };

describe('MQTT 3.1.1 conformance: sessions, will, keepalive', { timeout: 60_000 }, () => {
  let tp: TestPlatform;
  const clients: MqttClient[] = [];
  const raws: RawMqtt[] = [];
  const admin = async (options: Parameters<typeof connectMqtt>[1] = {}) => {
    const c = await connectMqtt(tp.mqttUrl, { ...ADMIN, ...options });
    clients.push(c);
    return c;
  };
  const raw = async () => {
    const r = await RawMqtt.open(tp.mqttPort);
    raws.push(r);
    return r;
  };

  before(async () => {
    tp = await startTestPlatform();
  });
  after(async () => {
    for (const c of clients) c.end(true);
    for (const r of raws) r.destroy();
    await tp.stop();
  });

  test('a clean session ends with its connection, a QoS 2 message awaiting PUBREL too [MQTT-3.1.2-6]: the same id and packet identifier deliver again', async () => {
    const sub = await admin();
    await sub.subscribeAsync('conf/clean-q2', { qos: 2 });
    const got: string[] = [];
    sub.on('message', (topic, payload) => topic === 'conf/clean-q2' && got.push(payload.toString()));
    const publish = { cmd: 'publish' as const, topic: 'conf/clean-q2', payload: Buffer.from('first'), qos: 2 as const, messageId: 9, retain: false, dup: false };
    const a = await raw();
    assert.equal(await a.handshake({ ...ADMIN, clientId: 'clean-q2', clean: true }), 0);
    a.send(publish);
    await a.next('pubrec');
    a.destroy();
    const b = await raw();
    assert.equal(await b.handshake({ ...ADMIN, clientId: 'clean-q2', clean: true }), 0);
    b.send({ ...publish, payload: Buffer.from('second') });
    await b.next('pubrec');
    b.send({ cmd: 'pubrel', messageId: 9 });
    await b.next('pubcomp');
    const m = nextMessage(sub, 'conf/clean-q2');
    const c = await admin();
    await c.publishAsync('conf/clean-q2', 'marker', { qos: 2 });
    await m;
    while (!got.includes('marker')) await nextMessage(sub, 'conf/clean-q2');
    assert.deepEqual(got, ['first', 'second', 'marker']);
  });

  test('a zero-length client id with CleanSession 1 is accepted and given a unique id [MQTT-3.1.3-6]', async () => {
    const a = await raw();
    const b = await raw();
    assert.equal(await a.handshake({ ...ADMIN, clientId: '' }), 0);
    assert.equal(await b.handshake({ ...ADMIN, clientId: '' }), 0);
    // Both stay connected: the broker did not treat them as one client taking over the other.
    for (const r of [a, b]) {
      r.send({ cmd: 'pingreq' });
      await r.next('pingresp');
    }
    assert.equal(a.isClosed || b.isClosed, false);
  });

  test('a zero-length client id with CleanSession 0 gets CONNACK 0x02 and is closed [MQTT-3.1.3-8]', async () => {
    const r = await raw();
    // mqtt-packet will not generate this CONNECT, so it is written by hand.
    const user = Buffer.from(ADMIN.username);
    const pass = Buffer.from(ADMIN.password);
    const str = (b: Buffer) => Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
    const body = Buffer.concat([str(Buffer.from('MQTT')), Buffer.from([4, 0xc0, 0, 60]), str(Buffer.alloc(0)), str(user), str(pass)]);
    r.send(Buffer.concat([Buffer.from([0x10, body.length]), body]));
    const ack = (await r.next('connack')) as Packet & { returnCode: number };
    assert.equal(ack.returnCode, 2);
    await r.closed;
  });

  test('CleanSession 1 answers session present 0 [MQTT-3.2.2-1]; CleanSession 0 resumes with session present 1 [MQTT-3.2.2-2]', async () => {
    const first = await raw();
    first.connect({ ...ADMIN, clientId: 'conf-present', clean: false });
    assert.equal(((await first.next('connack')) as Packet & { sessionPresent: boolean }).sessionPresent, false);
    // aedes keeps a session only while it holds a subscription.
    first.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'conf/present', qos: 1 }] });
    await first.next('suback');
    first.send({ cmd: 'disconnect' });
    await first.closed;
    const again = await raw();
    again.connect({ ...ADMIN, clientId: 'conf-present', clean: false });
    assert.equal(((await again.next('connack')) as Packet & { sessionPresent: boolean }).sessionPresent, true);
    again.send({ cmd: 'disconnect' });
    await again.closed;
    const clean = await raw();
    clean.connect({ ...ADMIN, clientId: 'conf-present', clean: true });
    assert.equal(((await clean.next('connack')) as Packet & { sessionPresent: boolean }).sessionPresent, false);
  });

  test('a persistent session keeps its subscriptions and queues QoS 1 and 2 messages while offline [MQTT-3.1.2-4] [MQTT-3.1.2-5], QoS 0 may be dropped', async () => {
    const sub = await admin({ clientId: 'conf-offline', clean: false });
    await sub.subscribeAsync('conf/offline/#', { qos: 2 });
    await sub.endAsync();
    const pub = await admin();
    await pub.publishAsync('conf/offline/1', 'q1', { qos: 1 });
    await pub.publishAsync('conf/offline/2', 'q2', { qos: 2 });
    const r = await raw();
    r.connect({ ...ADMIN, clientId: 'conf-offline', clean: false });
    const one = (await r.until((p) => p.cmd === 'publish' && (p as Pub).topic === 'conf/offline/1')) as Pub;
    const two = (await r.until((p) => p.cmd === 'publish' && (p as Pub).topic === 'conf/offline/2')) as Pub;
    assert.deepEqual([one.payload.toString(), one.qos, two.payload.toString(), two.qos], ['q1', 1, 'q2', 2]);
    // Without a new SUBSCRIBE, the session's subscription still delivers live messages.
    r.send({ cmd: 'puback', messageId: one.messageId! });
    r.send({ cmd: 'pubrec', messageId: two.messageId! });
    await r.next('pubrel');
    r.send({ cmd: 'pubcomp', messageId: two.messageId! });
    await pub.publishAsync('conf/offline/3', 'live', { qos: 1 });
    const live = (await r.until((p) => p.cmd === 'publish' && (p as Pub).topic === 'conf/offline/3')) as Pub;
    assert.equal(live.payload.toString(), 'live');
  });

  test('a resumed session delivers at the highest QoS of its overlapping subscriptions [MQTT-3.1.2-4] [MQTT-3.3.5-1]', async () => {
    const first = await admin({ clientId: 'conf-resumed-overlap', clean: false });
    await first.subscribeAsync({ 'conf/resumed/x': { qos: 0 }, 'conf/resumed/#': { qos: 1 } });
    await first.endAsync();
    const again = await admin({ clientId: 'conf-resumed-overlap', clean: false });
    const got = nextMessage(again, 'conf/resumed/x');
    const pub = await admin();
    await pub.publishAsync('conf/resumed/x', 'r', { qos: 1 });
    assert.equal((await got).qos, 1);
  });

  test('unacknowledged QoS 1 messages are resent on reconnect with the same identifier and DUP 1 [MQTT-4.4.0-1] [MQTT-3.3.1-1]', async () => {
    const setup = await admin({ clientId: 'conf-redeliver', clean: false });
    await setup.subscribeAsync('conf/redeliver', { qos: 1 });
    await setup.endAsync();
    const r = await raw();
    r.connect({ ...ADMIN, clientId: 'conf-redeliver', clean: false });
    await r.next('connack');
    const pub = await admin();
    await pub.publishAsync('conf/redeliver', 'again', { qos: 1 });
    const first = (await r.until((p) => p.cmd === 'publish')) as Pub;
    assert.equal(first.dup, false);
    // No PUBACK: drop the connection and come back.
    r.destroy();
    const back = await raw();
    back.connect({ ...ADMIN, clientId: 'conf-redeliver', clean: false });
    const resent = (await back.until((p) => p.cmd === 'publish')) as Pub;
    assert.deepEqual([resent.payload.toString(), resent.messageId, resent.dup], ['again', first.messageId, true]);
    back.send({ cmd: 'puback', messageId: resent.messageId! });
    back.send({ cmd: 'disconnect' });
    await back.closed;
    // Acknowledged now: a further reconnect gets nothing more.
    const last = await raw();
    last.connect({ ...ADMIN, clientId: 'conf-redeliver', clean: false });
    await last.next('connack');
    last.send({ cmd: 'pingreq' });
    await last.next('pingresp');
    assert.deepEqual(last.packets.filter((p) => p.cmd === 'publish'), []);
  });

  test('the will is published when the connection is lost without DISCONNECT [MQTT-3.1.2-8], with its retain flag [MQTT-3.1.2-17]', async () => {
    const watcher = await admin();
    await watcher.subscribeAsync('conf/will/lost', { qos: 1 });
    const will = nextMessage(watcher, 'conf/will/lost');
    const r = await raw();
    r.send({
      cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'conf-will-1', keepalive: 60,
      username: ADMIN.username, password: Buffer.from(ADMIN.password),
      will: { topic: 'conf/will/lost', payload: Buffer.from('gone'), qos: 1, retain: true },
    });
    await r.next('connack');
    r.destroy();
    assert.equal((await will).payload.toString(), 'gone');
    const late = await admin();
    const retained = nextMessage(late, 'conf/will/lost');
    await late.subscribeAsync('conf/will/lost', { qos: 1 });
    assert.deepEqual([(await retained).payload.toString(), (await retained).retain], ['gone', true]);
  });

  test('a DISCONNECT discards the will [MQTT-3.1.2-10] [MQTT-3.14.4-3]', async () => {
    const watcher = await admin();
    await watcher.subscribeAsync('conf/will/clean', { qos: 1 });
    const got: string[] = [];
    watcher.on('message', (t, p) => t === 'conf/will/clean' && got.push(p.toString()));
    const c = await connectMqtt(tp.mqttUrl, { ...ADMIN, will: { topic: 'conf/will/clean', payload: Buffer.from('should-not'), qos: 1, retain: false } });
    await c.endAsync();
    // A marker published after the disconnect arrives after any will would have.
    const marker = nextMessage(watcher, 'conf/will/clean');
    const pub = await admin();
    await pub.publishAsync('conf/will/clean', 'marker', { qos: 1 });
    await marker;
    assert.deepEqual(got, ['marker']);
  });

  test('no packet within 1.5x keepalive: the server closes the connection [MQTT-3.1.2-24] and publishes the will [MQTT-3.1.2-8]', async () => {
    const watcher = await admin();
    await watcher.subscribeAsync('conf/will/keepalive', { qos: 1 });
    const will = nextMessage(watcher, 'conf/will/keepalive');
    const r = await raw();
    r.send({
      cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'conf-keepalive', keepalive: 1,
      username: ADMIN.username, password: Buffer.from(ADMIN.password),
      will: { topic: 'conf/will/keepalive', payload: Buffer.from('timed-out'), qos: 1, retain: false },
    });
    await r.next('connack');
    await r.closed;
    assert.equal((await will).payload.toString(), 'timed-out');
  });

  test('a client that pings within its keepalive stays connected [MQTT-3.1.2-23]', async () => {
    const r = await raw();
    assert.equal(await r.handshake({ ...ADMIN, clientId: 'conf-pinger', keepalive: 1 }), 0);
    for (let i = 0; i < 4; i++) {
      await new Promise((res) => setTimeout(res, 500));
      r.send({ cmd: 'pingreq' });
      await r.until((p) => p.cmd === 'pingresp' && r.packets.filter((x) => x.cmd === 'pingresp').length > i);
    }
    assert.equal(r.isClosed, false);
  });

  test('a new connection with the same client id takes over: the old one is closed [MQTT-3.1.4-2]', async () => {
    const oldOne = await raw();
    assert.equal(await oldOne.handshake({ ...ADMIN, clientId: 'conf-takeover' }), 0);
    const newOne = await raw();
    assert.equal(await newOne.handshake({ ...ADMIN, clientId: 'conf-takeover' }), 0);
    await oldOne.closed;
    newOne.send({ cmd: 'pingreq' });
    await newOne.next('pingresp');
  });
});

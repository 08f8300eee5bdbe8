// MQTT 5 sessions, wills and forwarded properties on the embedded broker: Session Expiry Interval,
// Will Delay Interval, Message Expiry Interval, and PUBLISH properties that reach subscribers
// unchanged. Each test names the normative statement(s) of the OASIS MQTT 5.0 standard it checks;
// mqtt.js v5 publishes as a library would, the raw packet client shows the packets on the wire.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Packet } from 'mqtt-packet';
import { ADMIN_PASSWORD, type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';
import { RawMqtt } from '../helpers/raw-mqtt.ts';

const ADMIN = { username: 'admin', password: ADMIN_PASSWORD };
type Props = {
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Buffer;
  userProperties?: Record<string, string | string[]>;
};
type Publish = Packet & { topic: string; payload: Buffer; qos: number; properties?: Props };
type Connack = Packet & { reasonCode?: number; sessionPresent?: boolean };

describe('MQTT 5 sessions, wills and properties', { timeout: 60_000 }, () => {
  let tp: TestPlatform;
  const clients: MqttClient[] = [];
  const raws: RawMqtt[] = [];

  const open = async (options: Parameters<RawMqtt['connect']>[0], version: 4 | 5 = 5) => {
    const r = await RawMqtt.open(tp.mqttPort, version);
    raws.push(r);
    r.connect(options);
    return { r, connack: (await r.next('connack')) as Connack };
  };
  const raw = async (options: Parameters<RawMqtt['connect']>[0] = ADMIN, version: 4 | 5 = 5) => {
    const { r, connack } = await open(options, version);
    assert.equal((version === 5 ? connack.reasonCode : (connack as { returnCode?: number }).returnCode) ?? -1, 0);
    return r;
  };
  const subscribe = async (r: RawMqtt, topic: string) => {
    r.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos: 1 }] });
    await r.next('suback');
  };
  const client = async (options: IClientOptions = ADMIN) => {
    const c = await mqtt.connectAsync(tp.mqttUrl, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000, ...options }, false);
    clients.push(c);
    return c;
  };
  const drop = async (r: RawMqtt) => {
    r.destroy();
    await r.closed;
  };
  const firstPublish = (r: RawMqtt, topic: string) => r.until((p) => p.cmd === 'publish' && (p as Publish).topic === topic, `a message on ${topic}`) as Promise<Publish>;
  const broker = () => tp.platform.mqtt!.broker!.aedes;
  /** aedes' timers of delayed wills, by client id: the only view of a will that is not published yet. */
  const willPending = (clientId: string) => (broker() as unknown as { delayedWills: Map<string, unknown> }).delayedWills.has(clientId);
  const sessionExpired = (clientId: string) =>
    new Promise<void>((resolve) => {
      const onExpired = (c: { id: string }) => {
        if (c.id !== clientId) return;
        broker().off('sessionExpired', onExpired);
        resolve();
      };
      broker().on('sessionExpired', onExpired);
    });

  before(async () => {
    tp = await startTestPlatform();
  });
  after(async () => {
    for (const c of clients) c.end(true);
    for (const r of raws) r.destroy();
    await tp.stop();
  });

  test('PUBLISH properties reach an MQTT 5 subscriber unaltered [MQTT-3.3.2-4] [MQTT-3.3.2-15] [MQTT-3.3.2-16] [MQTT-3.3.2-17] [MQTT-3.3.2-18] [MQTT-3.3.2-20]; an MQTT 3.1.1 subscriber gets the same payload', async () => {
    const sub5 = await raw();
    const sub4 = await raw(ADMIN, 4);
    await subscribe(sub5, 'v5/props');
    await subscribe(sub4, 'v5/props');
    const pub = await client();
    const properties = {
      payloadFormatIndicator: true,
      messageExpiryInterval: 600,
      contentType: 'application/json',
      responseTopic: 'v5/props/reply',
      correlationData: Buffer.from([0, 1, 2, 255]),
      userProperties: { b: '2', a: ['1', '3'] },
    };
    await pub.publishAsync('v5/props', '{"on":true}', { qos: 1, properties });
    const got = await firstPublish(sub5, 'v5/props');
    const p = got.properties ?? {};
    assert.equal(got.payload.toString(), '{"on":true}');
    assert.deepEqual([p.payloadFormatIndicator, p.contentType, p.responseTopic], [true, 'application/json', 'v5/props/reply']);
    assert.deepEqual(p.correlationData, Buffer.from([0, 1, 2, 255]));
    assert.deepEqual(Object.entries(p.userProperties ?? {}), [['b', '2'], ['a', ['1', '3']]]);
    assert.ok(p.messageExpiryInterval !== undefined && p.messageExpiryInterval > 0 && p.messageExpiryInterval <= 600, `Message Expiry Interval ${p.messageExpiryInterval}`);
    assert.equal((await firstPublish(sub4, 'v5/props')).payload.toString(), '{"on":true}');
  });

  test('a queued message whose Message Expiry Interval passed is not delivered [MQTT-3.3.2-5]; one still valid carries the time left [MQTT-3.3.2-6]', async () => {
    const session = { ...ADMIN, clientId: 'v5-expiry', clean: false, properties: { sessionExpiryInterval: 600 } };
    const first = await raw(session);
    await subscribe(first, 'v5/expiry');
    await drop(first);
    const pub = await client();
    await pub.publishAsync('v5/expiry', 'short', { qos: 1, properties: { messageExpiryInterval: 1 } });
    await pub.publishAsync('v5/expiry', 'long', { qos: 1, properties: { messageExpiryInterval: 600 } });
    // Waiting is what lets the first expire; a slower machine only waits longer.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const { r: back, connack } = await open(session);
    assert.equal(connack.sessionPresent, true);
    const got = await firstPublish(back, 'v5/expiry');
    assert.equal(got.payload.toString(), 'long');
    assert.ok((got.properties?.messageExpiryInterval ?? 0) <= 600 && (got.properties?.messageExpiryInterval ?? 0) > 0);
  });

  test('Session Expiry Interval absent: the session ends with the connection [MQTT-3.1.2-23], so a resume finds none [MQTT-3.2.2-3]', async () => {
    const session = { ...ADMIN, clientId: 'v5-no-expiry', clean: false };
    const first = await raw(session);
    await subscribe(first, 'v5/gone');
    await drop(first);
    const { r: back, connack } = await open(session);
    assert.equal(connack.sessionPresent, false);
    await subscribe(back, 'v5/gone-marker');
    const pub = await client();
    await pub.publishAsync('v5/gone', 'x', { qos: 1 });
    await pub.publishAsync('v5/gone-marker', 'm', { qos: 1 });
    await firstPublish(back, 'v5/gone-marker');
    assert.equal(back.packets.some((p) => p.cmd === 'publish' && (p as Publish).topic === 'v5/gone'), false, 'no subscription survived');
  });

  test('a session with a Session Expiry Interval outlives its connection [MQTT-3.1.2-23] and is discarded once it passed [MQTT-4.1.0-2]; its client id is then free for another credential', async () => {
    const session = { ...ADMIN, clientId: 'v5-expiring', clean: false, properties: { sessionExpiryInterval: 1 } };
    const taken = { ...session, clientId: 'v5-expiring-taken' };
    const device = await tp.createDevice('v5-expiring-dev');
    const asDevice = { username: device.id, password: device.apiKey, clientId: taken.clientId, clean: true };
    const expired = [sessionExpired(session.clientId), sessionExpired(taken.clientId)];
    for (const options of [session, taken]) {
      const first = await raw(options);
      await subscribe(first, 'v5/expiring');
      await drop(first);
    }
    await Promise.all(expired);
    assert.equal((await open(session)).connack.sessionPresent, false);
    // A persistent session is bound to the credential that made it (0x85 for another); expired, it is not.
    assert.equal((await open(asDevice)).connack.reasonCode, 0);
  });

  test('a will waits for its Will Delay Interval and is published when the session ends first [MQTT-3.1.2-8]', async () => {
    const watcher = await raw();
    await subscribe(watcher, 'v5/will/ends');
    const w = await raw({
      ...ADMIN,
      clientId: 'v5-will-ends',
      properties: { sessionExpiryInterval: 1 },
      will: { topic: 'v5/will/ends', payload: Buffer.from('gone'), qos: 1 as const, retain: false, properties: { willDelayInterval: 600 } },
    });
    await drop(w);
    assert.equal((await firstPublish(watcher, 'v5/will/ends')).payload.toString(), 'gone');
  });

  test('a will is not sent when the client reconnects within the Will Delay Interval [MQTT-3.1.3-9], nor after a normal DISCONNECT [MQTT-3.1.2-10]', async () => {
    const watcher = await raw();
    await subscribe(watcher, 'v5/will/back');
    const options = {
      ...ADMIN,
      clientId: 'v5-will-back',
      clean: false,
      properties: { sessionExpiryInterval: 600 },
      will: { topic: 'v5/will/back', payload: Buffer.from('gone'), qos: 1 as const, retain: false, properties: { willDelayInterval: 600 } },
    };
    const w = await raw(options);
    await drop(w);
    while (!willPending('v5-will-back')) await new Promise((resolve) => setTimeout(resolve, 20));
    const back = await raw(options);
    assert.equal(willPending('v5-will-back'), false, 'the reconnect cancels the delayed will');
    back.send({ cmd: 'disconnect', reasonCode: 0 });
    await back.closed;
    const pub = await client();
    await pub.publishAsync('v5/will/back', 'marker', { qos: 1 });
    assert.equal((await firstPublish(watcher, 'v5/will/back')).payload.toString(), 'marker');
    assert.equal(willPending('v5-will-back'), false);
  });
});

test('a session whose Session Expiry Interval passes while Fluxgate is stopped is discarded after the restart [MQTT-4.1.0-2]; one whose interval runs on is kept [MQTT-3.1.2-23]', { timeout: 60_000 }, async () => {
  const first = await startTestPlatform();
  const dataDir = first.dataDir;
  let tp: TestPlatform | undefined = first;
  const raws: RawMqtt[] = [];
  const resume = async (session: Parameters<RawMqtt['connect']>[0]) => {
    const r = await RawMqtt.open(tp!.mqttPort, 5);
    raws.push(r);
    r.connect(session);
    return (await r.next('connack')) as Connack;
  };
  try {
    const short = { ...ADMIN, clientId: 'v5-restart-short', clean: false, properties: { sessionExpiryInterval: 1 } };
    const long = { ...ADMIN, clientId: 'v5-restart-long', clean: false, properties: { sessionExpiryInterval: 3600 } };
    for (const session of [short, long]) {
      const r = await RawMqtt.open(first.mqttPort, 5);
      raws.push(r);
      assert.equal(await r.handshake(session), 0);
      r.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'v5/restart', qos: 1 }] });
      await r.next('suback');
    }
    // Stopping ends the connections: both sessions' expiry starts then.
    await first.stop({ keepData: true });
    // The short one's interval passes while Fluxgate is down; a slower machine only waits longer.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    tp = await startTestPlatform({}, dataDir);
    const persistence = (tp.platform.mqtt!.broker!.aedes as unknown as { persistence: { subscriptionsByClient(c: { id: string }): Promise<unknown[]> } }).persistence;
    while ((await persistence.subscriptionsByClient({ id: short.clientId })).length > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal((await resume(short)).sessionPresent, false);
    assert.equal((await resume(long)).sessionPresent, true);
  } finally {
    for (const r of raws) r.destroy();
    await tp?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

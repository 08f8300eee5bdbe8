// MQTT 3.1.1 conformance of the embedded broker: publish/subscribe at each QoS, retained messages,
// overlapping and refused subscriptions, $-topics, unsubscribe. Each test names the normative
// statement(s) of the OASIS MQTT 3.1.1 standard it checks. Admin credentials are used where a
// device's ACL would get in the way; a device is used where the refusal itself is the point.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import type { Packet } from 'mqtt-packet';
import { connectMqtt, grantedCodes, nextMessage } from '../helpers/mqtt.ts';
import { ADMIN_PASSWORD, type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';
import { RawMqtt } from '../helpers/raw-mqtt.ts';

type Pub = Packet & { cmd: 'publish'; topic: string; payload: Buffer; qos: number; retain: boolean; dup: boolean; messageId?: number };

describe('MQTT 3.1.1 conformance: publish and subscribe', { timeout: 60_000 }, () => {
  let tp: TestPlatform;
  const clients: MqttClient[] = [];
  const raws: RawMqtt[] = [];
  const admin = async (options: Parameters<typeof connectMqtt>[1] = {}) => {
    const c = await connectMqtt(tp.mqttUrl, { username: 'admin', password: ADMIN_PASSWORD, ...options });
    clients.push(c);
    return c;
  };
  const rawAdmin = async (options: Parameters<RawMqtt['handshake']>[0] = {}) => {
    const r = await RawMqtt.open(tp.mqttPort);
    raws.push(r);
    assert.equal(await r.handshake({ username: 'admin', password: ADMIN_PASSWORD, ...options }), 0);
    return r;
  };
  /** Messages on `topic` received by `c` from now on. */
  const collect = (c: MqttClient, topic: string) => {
    const got: Array<{ payload: string; qos: number; retain: boolean }> = [];
    c.on('message', (t, payload, packet) => t === topic && got.push({ payload: payload.toString(), qos: packet.qos, retain: packet.retain }));
    return got;
  };
  /** A round trip on `c` (PINGREQ/PINGRESP is answered in order after earlier packets were handled). */
  const settle = async (c: MqttClient) => {
    const marker = `conf/settle/${Math.random()}`;
    await c.subscribeAsync(marker, { qos: 1 });
    const m = nextMessage(c, marker);
    await c.publishAsync(marker, 'x', { qos: 1 });
    await m;
    await c.unsubscribeAsync(marker);
  };

  before(async () => {
    tp = await startTestPlatform();
  });
  after(async () => {
    for (const c of clients) c.end(true);
    for (const r of raws) r.destroy();
    await tp.stop();
  });

  test('QoS 0 is delivered with QoS 0 and DUP 0 [MQTT-4.3.1-1] [MQTT-3.3.1-2]', async () => {
    const sub = await rawAdmin();
    sub.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'conf/q0', qos: 0 }] });
    await sub.next('suback');
    const pub = await admin();
    await pub.publishAsync('conf/q0', 'zero', { qos: 0 });
    const msg = (await sub.until((p) => p.cmd === 'publish')) as Pub;
    assert.deepEqual([msg.topic, msg.payload.toString(), msg.qos, msg.dup, msg.messageId ?? null], ['conf/q0', 'zero', 0, false, null]);
  });

  test('QoS 1: PUBACK with the same packet identifier [MQTT-3.3.4-1] [MQTT-2.3.1-6], delivered at QoS 1 [MQTT-4.3.2-1]', async () => {
    const sub = await admin();
    await sub.subscribeAsync('conf/q1', { qos: 1 });
    const got = nextMessage(sub, 'conf/q1');
    const r = await rawAdmin();
    r.send({ cmd: 'publish', topic: 'conf/q1', payload: Buffer.from('one'), qos: 1, messageId: 4242, retain: false, dup: false });
    const ack = (await r.next('puback')) as Packet & { messageId: number };
    assert.equal(ack.messageId, 4242);
    const msg = await got;
    assert.deepEqual([msg.payload.toString(), msg.qos], ['one', 1]);
  });

  test('QoS 2: PUBREC, PUBREL, PUBCOMP with one identifier [MQTT-4.3.3-2] [MQTT-3.6.1-1], delivered exactly once [MQTT-4.3.3-3]', async () => {
    const sub = await admin();
    await sub.subscribeAsync('conf/q2', { qos: 2 });
    const got = collect(sub, 'conf/q2');
    const r = await rawAdmin();
    const publish = { cmd: 'publish' as const, topic: 'conf/q2', payload: Buffer.from('two'), qos: 2 as const, messageId: 77, retain: false, dup: false };
    r.send(publish);
    assert.equal(((await r.next('pubrec')) as Packet & { messageId: number }).messageId, 77);
    // A resent PUBLISH before PUBREL must not deliver the message twice.
    r.send({ ...publish, dup: true });
    r.send({ cmd: 'pubrel', messageId: 77 });
    assert.equal(((await r.next('pubcomp')) as Packet & { messageId: number }).messageId, 77);
    await settle(sub);
    assert.deepEqual(got, [{ payload: 'two', qos: 2, retain: false }]);
  });

  test('a subscriber gets min(publish QoS, granted QoS) [MQTT-3.8.4-6], SUBACK codes in filter order [MQTT-3.9.3-1]', async () => {
    const sub = await admin();
    assert.deepEqual(await grantedCodes(sub, ['conf/min/0', 'conf/min/1'], 0), [0, 0]);
    assert.deepEqual((await sub.subscribeAsync({ 'conf/min/a': { qos: 2 }, 'conf/min/b': { qos: 1 }, 'conf/min/c': { qos: 0 } })).map((g) => [g.topic, g.qos]), [
      ['conf/min/a', 2],
      ['conf/min/b', 1],
      ['conf/min/c', 0],
    ]);
    const a = nextMessage(sub, 'conf/min/a');
    const b = nextMessage(sub, 'conf/min/b');
    const c = nextMessage(sub, 'conf/min/c');
    const pub = await admin();
    await pub.publishAsync('conf/min/a', 'x', { qos: 1 });
    await pub.publishAsync('conf/min/b', 'x', { qos: 2 });
    await pub.publishAsync('conf/min/c', 'x', { qos: 2 });
    assert.deepEqual([(await a).qos, (await b).qos, (await c).qos], [1, 1, 0]);
  });

  test('messages from one publisher on one topic arrive in order [MQTT-4.6.0-5]', async () => {
    const sub = await admin();
    await sub.subscribeAsync('conf/order', { qos: 1 });
    const got = collect(sub, 'conf/order');
    const pub = await admin();
    await Promise.all(Array.from({ length: 50 }, (_, i) => pub.publishAsync('conf/order', String(i), { qos: 1 })));
    await settle(sub);
    assert.deepEqual(got.map((m) => Number(m.payload)), Array.from({ length: 50 }, (_, i) => i));
  });

  test('wildcards: + matches one level, # any number including the parent [MQTT-4.7.1-2] [MQTT-4.7.1-3]', async () => {
    const sub = await admin();
    await sub.subscribeAsync(['conf/wild/+/x', 'conf/tree/#'], { qos: 0 });
    const seen: string[] = [];
    sub.on('message', (t) => t.startsWith('conf/wild') || t.startsWith('conf/tree') ? seen.push(t) : undefined);
    const pub = await admin();
    for (const t of ['conf/wild/a/x', 'conf/wild/a/b/x', 'conf/wild/x', 'conf/tree', 'conf/tree/a/b/c', 'conf/treehouse']) await pub.publishAsync(t, 'w', { qos: 1 });
    await settle(sub);
    assert.deepEqual(seen.sort(), ['conf/tree', 'conf/tree/a/b/c', 'conf/wild/a/x']);
  });

  test('retained: stored and sent to a new subscriber with RETAIN 1 [MQTT-3.3.1-5] [MQTT-3.3.1-6] [MQTT-3.3.1-8]; RETAIN 0 to existing subscribers [MQTT-3.3.1-9]', async () => {
    const live = await admin();
    await live.subscribeAsync('conf/ret/a', { qos: 1 });
    const liveMsg = nextMessage(live, 'conf/ret/a');
    const pub = await admin();
    await pub.publishAsync('conf/ret/a', 'first', { qos: 1, retain: true });
    await pub.publishAsync('conf/ret/a', 'kept', { qos: 1, retain: true });
    assert.deepEqual([(await liveMsg).payload.toString(), (await liveMsg).retain], ['first', false]);
    const late = await admin();
    const lateMsg = nextMessage(late, 'conf/ret/a');
    await late.subscribeAsync('conf/ret/+', { qos: 1 });
    const m = await lateMsg;
    assert.deepEqual([m.payload.toString(), m.retain], ['kept', true], 'only the last retained message is kept');
  });

  test('retained QoS 1 messages of one publisher reach subscribers in order, and the last one stays retained [MQTT-4.6.0-2] [MQTT-3.3.1-5]', async () => {
    const live = await admin();
    await live.subscribeAsync('conf/ret/order', { qos: 1 });
    const got: number[] = [];
    live.on('message', (t, payload) => (t === 'conf/ret/order' ? got.push(Number(payload)) : undefined));
    const pub = await admin();
    // Each publish waits for its PUBACK, which aedes sends before the retained message is written.
    for (let i = 0; i < 200; i++) await pub.publishAsync('conf/ret/order', String(i), { qos: 1, retain: true });
    for (const deadline = Date.now() + 5000; got.length < 200 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(got, Array.from({ length: 200 }, (_, i) => i));
    const late = await admin();
    const retained = nextMessage(late, 'conf/ret/order');
    await late.subscribeAsync('conf/ret/order', { qos: 1 });
    assert.equal((await retained).payload.toString(), '199');
  });

  test('retained: a RETAIN 0 message does not replace the retained one [MQTT-3.3.1-12]; a zero-byte retained message clears it [MQTT-3.3.1-10] [MQTT-3.3.1-11]', async () => {
    const pub = await admin();
    await pub.publishAsync('conf/ret/b', 'stay', { qos: 1, retain: true });
    await pub.publishAsync('conf/ret/b', 'passing', { qos: 1, retain: false });
    const first = await admin();
    const m = nextMessage(first, 'conf/ret/b');
    await first.subscribeAsync('conf/ret/b', { qos: 1 });
    assert.equal((await m).payload.toString(), 'stay');
    await pub.publishAsync('conf/ret/b', '', { qos: 1, retain: true });
    const second = await admin();
    const got = collect(second, 'conf/ret/b');
    await second.subscribeAsync('conf/ret/b', { qos: 1 });
    await settle(second);
    assert.deepEqual(got, []);
  });

  test('re-subscribing replaces the subscription and re-sends retained messages [MQTT-3.8.4-3]', async () => {
    const pub = await admin();
    await pub.publishAsync('conf/ret/c', 'again', { qos: 1, retain: true });
    const sub = await admin();
    const got = collect(sub, 'conf/ret/c');
    await sub.subscribeAsync('conf/ret/c', { qos: 0 });
    await sub.subscribeAsync('conf/ret/c', { qos: 1 });
    await settle(sub);
    assert.deepEqual(got.map((g) => [g.payload, g.retain]), [['again', true], ['again', true]]);
    const live = nextMessage(sub, 'conf/ret/c');
    await pub.publishAsync('conf/ret/c', 'live', { qos: 1 });
    assert.equal((await live).qos, 1, 'the new subscription QoS replaced the old one');
    await pub.publishAsync('conf/ret/c', '', { qos: 1, retain: true });
  });

  test('overlapping subscriptions: the message is delivered at the highest matching QoS [MQTT-3.3.5-1]', async () => {
    const sub = await admin();
    await sub.subscribeAsync({ 'conf/overlap/#': { qos: 0 }, 'conf/+/x': { qos: 2 }, 'conf/overlap/+': { qos: 1 } });
    const got = collect(sub, 'conf/overlap/x');
    const pub = await admin();
    await pub.publishAsync('conf/overlap/x', 'o', { qos: 2 });
    await pub.publishAsync('conf/overlap/x', 'p', { qos: 1 });
    await settle(sub);
    // aedes sends one copy per client; the standard allows one or one per subscription. Order is only
    // kept within one QoS [MQTT-4.6.0-6], so the QoS 1 copy may overtake the QoS 2 one: sort first.
    assert.deepEqual(got.map((g) => [g.payload, g.qos]).sort(), [['o', 2], ['p', 1]]);
  });

  // aedes 1.2 also lowers a message to the QoS of a subscription whose filter equals the topic name
  // exactly, even when a wildcard subscription granted more (mqtt-overlap.ts works around it).
  test('overlapping subscriptions with one exact filter: still the highest matching QoS [MQTT-3.3.5-1]', async () => {
    const sub = await admin();
    await sub.subscribeAsync({ 'conf/exact-overlap/x': { qos: 0 }, 'conf/exact-overlap/#': { qos: 1 } });
    const got = nextMessage(sub, 'conf/exact-overlap/x');
    const pub = await admin();
    await pub.publishAsync('conf/exact-overlap/x', 'e', { qos: 1 });
    assert.equal((await got).qos, 1);
  });

  test('an exact filter overlapped by a wildcard one gets its own QoS back when the wildcard goes [MQTT-3.8.4-6]', async () => {
    const sub = await admin();
    await sub.subscribeAsync({ 'conf/exact-back/x': { qos: 0 }, 'conf/exact-back/y': { qos: 0 }, 'conf/exact-back/+': { qos: 2 } });
    // Re-subscribing 'y' at the QoS the wildcard gives it: that is now its own.
    await sub.subscribeAsync('conf/exact-back/y', { qos: 2 });
    await sub.unsubscribeAsync('conf/exact-back/+');
    const x = collect(sub, 'conf/exact-back/x');
    const y = collect(sub, 'conf/exact-back/y');
    const pub = await admin();
    await pub.publishAsync('conf/exact-back/x', 'x', { qos: 2 });
    await pub.publishAsync('conf/exact-back/y', 'y', { qos: 2 });
    await settle(sub);
    assert.deepEqual([...x, ...y].map((g) => [g.payload, g.qos]), [['x', 0], ['y', 2]]);
  });

  test('a refused subscription gets 0x80 and others in the same SUBSCRIBE are granted [MQTT-3.9.3-1]; nothing is delivered on it', async () => {
    const d = await tp.createDevice('conf-dev');
    const dev = await connectMqtt(tp.mqttUrl, { username: d.id, password: d.apiKey });
    clients.push(dev);
    assert.deepEqual(await grantedCodes(dev, ['devices/conf-dev/commands', 'conf/not-yours', 'devices/conf-dev/state/desired']), [1, 128, 1]);
    const got = collect(dev, 'conf/not-yours');
    const pub = await admin();
    await pub.publishAsync('conf/not-yours', 'secret', { qos: 1 });
    const cmd = nextMessage(dev, 'devices/conf-dev/commands');
    await pub.publishAsync('devices/conf-dev/commands', '{"id":"x"}', { qos: 1 });
    await cmd;
    assert.deepEqual(got, []);
  });

  test('topics starting with $ are not matched by # or + [MQTT-4.7.2-1]', async () => {
    const sub = await admin();
    await sub.subscribeAsync(['#', '+/conf/#'], { qos: 0 });
    const dollar: string[] = [];
    sub.on('message', (t) => t.startsWith('$') && dollar.push(t));
    const direct = await admin();
    await direct.subscribeAsync('$conf/x', { qos: 0 });
    const seenDirect = nextMessage(direct, '$conf/x');
    const pub = await admin();
    await pub.publishAsync('$conf/x', 'd', { qos: 1 });
    await pub.publishAsync('$conf/conf/y', 'd', { qos: 1 });
    assert.equal((await seenDirect).payload.toString(), 'd', 'an explicit $ filter does match');
    await settle(sub);
    assert.deepEqual(dollar, []);
  });

  test('unsubscribe: UNSUBACK with the same identifier [MQTT-3.10.4-4] [MQTT-3.11.2-1], even for a filter not held [MQTT-3.10.4-5]; delivery stops [MQTT-3.10.4-2]', async () => {
    const r = await rawAdmin();
    r.send({ cmd: 'subscribe', messageId: 10, subscriptions: [{ topic: 'conf/unsub/a', qos: 1 }, { topic: 'conf/unsub/+', qos: 0 }] });
    await r.next('suback');
    r.send({ cmd: 'unsubscribe', messageId: 11, unsubscriptions: ['conf/unsub/a', 'conf/never-subscribed'] });
    assert.equal(((await r.next('unsuback')) as Packet & { messageId: number }).messageId, 11);
    r.send({ cmd: 'unsubscribe', messageId: 12, unsubscriptions: ['conf/unsub/+'] });
    await r.until((p) => p.cmd === 'unsuback' && (p as { messageId?: number }).messageId === 12);
    const pub = await admin();
    await pub.publishAsync('conf/unsub/a', 'after', { qos: 1 });
    // A PINGRESP is answered after the broker handled what came before it.
    r.send({ cmd: 'pingreq' });
    await r.next('pingresp');
    await settle(pub);
    assert.deepEqual(r.packets.filter((p) => p.cmd === 'publish'), []);
  });

  test('filters are compared character by character on unsubscribe [MQTT-3.10.4-1]', async () => {
    const sub = await admin();
    await sub.subscribeAsync('conf/exact/+', { qos: 0 });
    await sub.unsubscribeAsync('conf/exact/x');
    const got = nextMessage(sub, 'conf/exact/x');
    const pub = await admin();
    await pub.publishAsync('conf/exact/x', 'still', { qos: 1 });
    assert.equal((await got).payload.toString(), 'still', 'unsubscribing another filter leaves + in place');
  });

  test('PINGREQ is answered with PINGRESP [MQTT-3.12.4-1]', async () => {
    const r = await rawAdmin();
    r.send({ cmd: 'pingreq' });
    await r.next('pingresp');
  });
});

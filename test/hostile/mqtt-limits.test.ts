// The embedded broker's per-node limits under abuse: a connection cap that holds, a cap on topic
// filters per connection, and one device flooding 10x its message allowance while another device
// keeps being served. Each refusal is checked exactly and counted in /metrics.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import { metricValue } from '../helpers/metric.ts';
import { closed, connectMqtt, grantedCodes } from '../helpers/mqtt.ts';
import { ADMIN_PASSWORD, type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';

const metric = (tp: TestPlatform, name: string, labels: Record<string, string>) => metricValue(tp.platform, name, labels);

describe('MQTT limits', { timeout: 60_000 }, () => {
  let tp: TestPlatform;
  const clients: MqttClient[] = [];
  const open = async (options: Parameters<typeof connectMqtt>[1]) => {
    const c = await connectMqtt(tp.mqttUrl, options);
    clients.push(c);
    return c;
  };

  before(async () => {
    tp = await startTestPlatform({ MQTT_MAX_CONNECTIONS: '3', MQTT_MAX_SUBSCRIPTIONS: '2', MQTT_RATE_LIMIT_DEVICE: '20/3600', RATE_LIMIT_API_KEY: '3/60' });
  });
  after(async () => {
    for (const c of clients) c.end(true);
    await tp.stop();
  });

  test('MQTT_MAX_CONNECTIONS holds: the next client gets CONNACK 3, and a freed slot is usable again', async () => {
    const devices = await Promise.all(['cap-1', 'cap-2', 'cap-3', 'cap-4'].map((id) => tp.createDevice(id)));
    const before = await metric(tp, 'fluxgate_mqtt_refused_total', { action: 'connection_limit' });
    const held = [];
    for (const d of devices.slice(0, 3)) held.push(await open({ username: d.id, password: d.apiKey }));
    const fourth = devices[3]!;
    await assert.rejects(connectMqtt(tp.mqttUrl, { username: fourth.id, password: fourth.apiKey }), (err: Error & { code?: number }) => err.code === 3);
    await assert.rejects(connectMqtt(tp.mqttUrl, { username: 'admin', password: ADMIN_PASSWORD }), (err: Error & { code?: number }) => err.code === 3);
    assert.equal(await metric(tp, 'fluxgate_mqtt_refused_total', { action: 'connection_limit' }), before + 2);
    assert.ok(held.every((c) => c.connected), 'the connected clients were not disturbed');
    assert.equal(tp.platform.connectivity.isOnline(fourth.id), false);
    const gone = closed(held[0]!);
    await held[0]!.endAsync();
    await gone;
    // The slot is freed when the socket closes; the next connect may race that by a tick.
    let admitted: MqttClient | undefined;
    for (let i = 0; i < 50 && !admitted; i++) {
      admitted = await connectMqtt(tp.mqttUrl, { username: fourth.id, password: fourth.apiKey }).catch(() => undefined);
      if (!admitted) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(admitted, 'a freed slot admits the next client');
    clients.push(admitted);
    const all = [...held, admitted];
    const allClosed = Promise.all(all.map((c) => closed(c)));
    for (const c of all) c.end(true);
    await allClosed;
    while (tp.platform.mqtt?.broker?.aedes.connectedClients) await new Promise((r) => setTimeout(r, 10));
  });

  test('MQTT_MAX_SUBSCRIPTIONS: filters past the cap get 0x80, re-subscribing is fine, unsubscribing frees room', async () => {
    const admin = await open({ username: 'admin', password: ADMIN_PASSWORD });
    const before = await metric(tp, 'fluxgate_mqtt_refused_total', { action: 'subscribe' });
    assert.deepEqual(await grantedCodes(admin, ['a/1', 'a/2', 'a/3'], 0), [0, 0, 128]);
    assert.deepEqual(await grantedCodes(admin, ['a/1'], 0), [0]);
    assert.deepEqual(await grantedCodes(admin, ['a/4'], 0), [128]);
    await admin.unsubscribeAsync('a/2');
    assert.deepEqual(await grantedCodes(admin, ['a/4'], 0), [0]);
    assert.equal(await metric(tp, 'fluxgate_mqtt_refused_total', { action: 'subscribe' }), before + 2);
    admin.end(true);
  });

  test('one device flooding 10x MQTT_RATE_LIMIT_DEVICE is cut off after its allowance; another device is served throughout', async () => {
    const flooder = await tp.createDevice('flood-1');
    const honest = await tp.createDevice('steady-1');
    const f = await open({ username: flooder.id, password: flooder.apiKey });
    const h = await open({ username: honest.id, password: honest.apiKey });
    const before = await metric(tp, 'fluxgate_mqtt_refused_total', { action: 'rate_limit' });
    const gone = closed(f);
    const T = 1_700_000_000_000;
    // 200 messages = 10x the allowance of 20, sent at once; the honest device publishes meanwhile.
    for (let i = 0; i < 200; i++) f.publish(`devices/${flooder.id}/data`, JSON.stringify({ n: i, timestamp: T + i }), { qos: 0 });
    const steady = Array.from({ length: 10 }, (_, i) => h.publishAsync(`devices/${honest.id}/data`, JSON.stringify({ n: i, timestamp: T + i }), { qos: 1 }));
    await Promise.all(steady);
    await gone;
    assert.equal(h.connected, true, 'the honest device stays connected');
    const stored = (id: string) => tp.platform.storage.queryPoints({ deviceId: id, start: T, end: T + 1000, fields: ['n'], order: 'asc', limit: 1000 });
    assert.deepEqual((await stored(honest.id)).map((p) => p.value), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // QoS 0 points are committed asynchronously: wait for the allowance to land, then check no more did.
    for (let i = 0; i < 100 && (await stored(flooder.id)).length < 20; i++) await new Promise((r) => setTimeout(r, 20));
    await tp.platform.pipeline.drain();
    assert.deepEqual((await stored(flooder.id)).map((p) => p.value), Array.from({ length: 20 }, (_, i) => i), 'exactly the allowance was stored');
    assert.ok((await metric(tp, 'fluxgate_mqtt_refused_total', { action: 'rate_limit' })) >= before + 1);
    // Reconnecting does not refill the allowance; the honest device still may publish.
    const again = await open({ username: flooder.id, password: flooder.apiKey });
    const goneAgain = closed(again);
    again.publish(`devices/${flooder.id}/data`, JSON.stringify({ n: 999, timestamp: T + 999 }), { qos: 1 });
    await goneAgain;
    await h.publishAsync(`devices/${honest.id}/data`, JSON.stringify({ n: 10, timestamp: T + 10 }), { qos: 1 });
    assert.equal((await stored(honest.id)).length, 11);
    assert.equal((await stored(flooder.id)).length, 20);
  });

  // Last: it leaves 127.0.0.1 blocked for the rest of the window.
  test('CONNECT brute force: bad credentials count against RATE_LIMIT_API_KEY per IP; then even a right key gets CONNACK 5', async () => {
    const d = await tp.createDevice('brute-1');
    const before = await metric(tp, 'fluxgate_mqtt_refused_total', { action: 'connect_rate_limit' });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      codes.push(await connectMqtt(tp.mqttUrl, { username: d.id, password: `fgk_guess_${i}` }).then(() => 0, (err: Error & { code?: number }) => err.code ?? -1));
    }
    assert.deepEqual(codes, [4, 4, 4, 5, 5]);
    await assert.rejects(connectMqtt(tp.mqttUrl, { username: d.id, password: d.apiKey }), (err: Error & { code?: number }) => err.code === 5);
    assert.equal(await metric(tp, 'fluxgate_mqtt_refused_total', { action: 'connect_rate_limit' }), before + 3);
    assert.equal(tp.platform.connectivity.isOnline(d.id), false);
  });
});

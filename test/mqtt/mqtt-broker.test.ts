import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import { closed, connectMqtt, grantedCodes, nextMessage } from '../helpers/mqtt.ts';
import { metricValue } from '../helpers/metric.ts';
import { ADMIN_PASSWORD, type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';

const metric = (tp: TestPlatform, name: string, labels: Record<string, string>) => metricValue(tp.platform, name, labels);

describe('embedded MQTT broker', { timeout: 30_000 }, () => {
  let tp: TestPlatform;
  let d1: { id: string; apiKey: string };
  let d2: { id: string; apiKey: string };
  const clients: MqttClient[] = [];
  const open = async (options: Parameters<typeof connectMqtt>[1]) => {
    const c = await connectMqtt(tp.mqttUrl, options);
    clients.push(c);
    return c;
  };

  before(async () => {
    tp = await startTestPlatform();
    d1 = await tp.createDevice('meter-1');
    d2 = await tp.createDevice('meter-2');
  });
  after(async () => {
    for (const c of clients) c.end(true);
    await tp.stop();
  });

  test('a wrong API key is refused in CONNACK (bad username or password)', async () => {
    await assert.rejects(connectMqtt(tp.mqttUrl, { username: d1.id, password: 'fgk_wrong' }), (err: Error & { code?: number }) => {
      assert.equal(err.code, 4);
      return true;
    });
    // Another device's valid key under this device's name is refused too.
    await assert.rejects(connectMqtt(tp.mqttUrl, { username: d1.id, password: d2.apiKey }), (err: Error & { code?: number }) => err.code === 4);
  });

  test('QoS 1 telemetry is stored before the PUBACK arrives', async () => {
    const c = await open({ username: d1.id, password: d1.apiKey });
    await c.publishAsync('devices/meter-1/data', JSON.stringify({ data: { power: 230.5, on: true }, timestamp: 1_700_000_000_000 }), { qos: 1 });
    const latest = await tp.platform.storage.latestPoints('meter-1');
    assert.deepEqual(
      latest.map((p) => [p.field, p.ts, p.value]).sort(),
      [['on', 1_700_000_000_000, true], ['power', 1_700_000_000_000, 230.5]],
    );
  });

  test('a connected client keeps neither its API key nor the CONNECT buffer it came in', async () => {
    const c = await open({ username: d2.id, password: d2.apiKey, clientId: 'keyless-check' });
    const aedes = tp.platform.mqtt?.broker?.aedes as unknown as { clients: Record<string, unknown> };
    const held = aedes.clients['keyless-check'] as { _parser: { settings: { cmd: string; password?: unknown; username?: unknown } } };
    // aedes keeps the CONNECT packet as its parser's settings for the connection's life.
    assert.equal(held._parser.settings.cmd, 'connect');
    assert.equal(held._parser.settings.password, undefined);
    assert.equal(held._parser.settings.username, undefined);
    assert.ok(c.connected);
  });

  test('every HTTP payload shape is accepted: a flat object and an array', async () => {
    const c = await open({ username: d1.id, password: d1.apiKey });
    await c.publishAsync('devices/meter-1/data', JSON.stringify([{ voltage: 229, timestamp: '2024-01-01T00:00:00Z' }, { voltage: 231, timestamp: '2024-01-01T00:00:01Z' }]), { qos: 1 });
    const points = await tp.platform.storage.queryPoints({ deviceId: 'meter-1', start: 0, end: Date.parse('2025-01-01'), fields: ['voltage'], order: 'asc', limit: 10 });
    assert.deepEqual(points.map((p) => p.value), [229, 231]);
  });

  test('an invalid payload is dropped and counted, and the connection stays up', async () => {
    const c = await open({ username: d1.id, password: d1.apiKey });
    const before = await metric(tp, 'fluxgate_mqtt_dropped_total', { reason: 'invalid_json' });
    await c.publishAsync('devices/meter-1/data', 'not json', { qos: 1 });
    await c.publishAsync('devices/meter-1/data', JSON.stringify({ data: { x: 'y'.repeat(10) }, timestamp: 'yesterday' }), { qos: 1 });
    assert.equal(await metric(tp, 'fluxgate_mqtt_dropped_total', { reason: 'invalid_json' }), before + 1);
    assert.equal(await metric(tp, 'fluxgate_mqtt_dropped_total', { reason: 'invalid_telemetry' }), 1);
    assert.equal(c.connected, true);
    await c.publishAsync('devices/meter-1/data', JSON.stringify({ still: 1, timestamp: 1_700_000_001_000 }), { qos: 1 });
    assert.deepEqual((await tp.platform.storage.latestPoints('meter-1')).find((p) => p.field === 'still')?.value, 1);
  });

  test('ACL: a device may subscribe only to its own commands and desired state', async () => {
    const c = await open({ username: d1.id, password: d1.apiKey });
    const before = await metric(tp, 'fluxgate_mqtt_refused_total', { action: 'subscribe' });
    const granted = await grantedCodes(c, [
      'devices/meter-1/commands',
      'devices/meter-1/state/desired',
      'devices/meter-2/commands',
      'devices/+/data',
      '#',
      '$SYS/#',
      'devices/meter-1/data',
    ]);
    assert.deepEqual(granted, [1, 1, 128, 128, 128, 128, 128]);
    assert.equal(await metric(tp, 'fluxgate_mqtt_refused_total', { action: 'subscribe' }), before + 5);
  });

  test("ACL: publishing under another device's id closes the connection and stores nothing", async () => {
    const c = await open({ username: d1.id, password: d1.apiKey });
    const before = await metric(tp, 'fluxgate_mqtt_refused_total', { action: 'publish' });
    const gone = closed(c);
    c.publish('devices/meter-2/data', JSON.stringify({ stolen: 1 }), { qos: 1 });
    await gone;
    assert.equal(await metric(tp, 'fluxgate_mqtt_refused_total', { action: 'publish' }), before + 1);
    assert.deepEqual(await tp.platform.storage.latestPoints('meter-2'), []);
  });

  test('a payload above MQTT_MAX_PAYLOAD_BYTES is refused', async () => {
    const c = await open({ username: d1.id, password: d1.apiKey });
    const gone = closed(c);
    c.publish('devices/meter-1/data', JSON.stringify({ big: 'x'.repeat(140_000) }), { qos: 1 });
    await gone;
    assert.equal((await tp.platform.storage.latestPoints('meter-1')).some((p) => p.field === 'big'), false);
  });

  test('a client id is bound to the credential that first used it', async () => {
    await open({ username: d1.id, password: d1.apiKey, clientId: 'shared-client-id' });
    await assert.rejects(
      connectMqtt(tp.mqttUrl, { username: d2.id, password: d2.apiKey, clientId: 'shared-client-id' }),
      (err: Error & { code?: number }) => err.code === 2,
    );
  });

  test('an admin may connect with username/password and watch every device', async () => {
    const admin = await open({ username: 'admin', password: ADMIN_PASSWORD });
    const granted = await admin.subscribeAsync('devices/+/data', { qos: 0 });
    assert.deepEqual(granted.map((g) => g.qos), [0]);
    const seen = nextMessage(admin, 'devices/meter-2/data');
    const dev = await open({ username: d2.id, password: d2.apiKey });
    await dev.publishAsync('devices/meter-2/data', JSON.stringify({ watched: 7 }), { qos: 1 });
    assert.deepEqual(JSON.parse((await seen).payload.toString()), { watched: 7 });
  });

  test('connect and an abrupt disconnect publish retained online/offline status', async () => {
    const d3 = await tp.createDevice('meter-3');
    const admin = await open({ username: 'admin', password: ADMIN_PASSWORD });
    await admin.subscribeAsync('devices/meter-3/status', { qos: 1 });
    const online = nextMessage(admin, 'devices/meter-3/status');
    const dev = await connectMqtt(tp.mqttUrl, {
      username: d3.id,
      password: d3.apiKey,
      will: { topic: 'devices/meter-3/status', payload: Buffer.from('{"status":"offline"}'), qos: 1, retain: true },
    });
    assert.equal(JSON.parse((await online).payload.toString()).status, 'online');
    assert.equal(tp.platform.connectivity.isOnline('meter-3'), true);
    const auth = { authorization: `Bearer ${tp.adminToken}` };
    assert.equal((await tp.request('GET', '/api/v1/devices/meter-3', undefined, auth)).body.online, true);
    const offline = nextMessage(admin, 'devices/meter-3/status');
    dev.stream.destroy();
    assert.equal(JSON.parse((await offline).payload.toString()).status, 'offline');
    assert.equal(tp.platform.connectivity.isOnline('meter-3'), false);
    const view = (await tp.request('GET', '/api/v1/devices/meter-3', undefined, auth)).body;
    assert.equal(view.online, false);
    assert.equal(typeof view.last_seen, 'string');
    // A late subscriber gets the retained status at once.
    const late = await open({ username: 'admin', password: ADMIN_PASSWORD });
    const retained = nextMessage(late, 'devices/meter-3/status');
    await late.subscribeAsync('devices/meter-3/status', { qos: 1 });
    const msg = await retained;
    assert.equal(msg.retain, true);
    assert.equal(JSON.parse(msg.payload.toString()).status, 'offline');
  });

  test('MQTT over WebSocket at /mqtt on the HTTP port', async () => {
    const c = await open({ username: d1.id, password: d1.apiKey } as never);
    c.end(true);
    const ws = await connectMqtt(`ws://127.0.0.1:${tp.port}/mqtt`, { username: d2.id, password: d2.apiKey });
    clients.push(ws);
    await ws.publishAsync('devices/meter-2/data', JSON.stringify({ over_ws: 3 }), { qos: 1 });
    assert.equal((await tp.platform.storage.latestPoints('meter-2')).find((p) => p.field === 'over_ws')?.value, 3);
  });
});

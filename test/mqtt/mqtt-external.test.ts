// External broker mode against the real Mosquitto on 127.0.0.1:1883: two Fluxgate nodes on one
// PostgreSQL share device traffic through $share/… and every point is stored exactly once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectMqtt } from '../helpers/mqtt.ts';
import { type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';
import { TEST_DATABASE_URL, dropSchema, mosquittoSkipReason, postgresSkipReason, uniqueSchema } from '../helpers/services.ts';

const skip = (await mosquittoSkipReason()) ?? (await postgresSkipReason());

async function counter(tp: TestPlatform, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = await tp.platform.metrics.registry.getSingleMetric(name)?.get();
  return (m?.values ?? []).filter((x) => Object.entries(labels).every(([k, v]) => x.labels[k] === v)).reduce((a, x) => a + x.value, 0);
}

describe('external broker mode (Mosquitto)', { skip: skip ?? false, timeout: 60_000 }, () => {
  const schema = uniqueSchema('mqttext');
  // A prefix of its own keeps this run apart from anything else using the shared Mosquitto.
  const prefix = `fgtest-${schema}`;
  const hookSecret = 'h'.repeat(40);
  const env = { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, MQTT_URL: 'mqtt://127.0.0.1:1883', MQTT_TOPIC_PREFIX: prefix, MQTT_HOOK_SECRET: hookSecret };
  let a: TestPlatform;
  let b: TestPlatform;

  before(async () => {
    a = await startTestPlatform(env);
    b = await startTestPlatform(env);
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await dropSchema(schema);
  });

  test('runs no embedded broker', () => {
    assert.equal(a.mqttPort, 0);
    assert.equal(a.platform.mqtt?.port, undefined);
  });

  test('two nodes split the load and store every point exactly once', async () => {
    const dev = await a.createDevice('fleet-1');
    const publisher = await connectMqtt('mqtt://127.0.0.1:1883', { clientId: `${prefix}-pub` });
    const n = 400;
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < n; i++) {
      await publisher.publishAsync(`${prefix}/devices/${dev.id}/data`, JSON.stringify({ power: i, timestamp: t0 + i * 1000 }), { qos: 1 });
    }
    await publisher.endAsync();
    const stored = async () => (await a.platform.storage.queryPoints({ deviceId: dev.id, start: t0, end: t0 + n * 1000, order: 'asc', limit: n + 10 })).length;
    for (let i = 0; i < 200 && (await stored()) < n; i++) await new Promise((r) => setTimeout(r, 50));
    const points = await a.platform.storage.queryPoints({ deviceId: dev.id, start: t0, end: t0 + n * 1000, order: 'asc', limit: n + 10 });
    assert.deepEqual(points.map((p) => p.value), Array.from({ length: n }, (_, i) => i));
    const byA = await counter(a, 'fluxgate_mqtt_messages_total', { kind: 'data' });
    const byB = await counter(b, 'fluxgate_mqtt_messages_total', { kind: 'data' });
    assert.equal(byA + byB, n);
    assert.ok(byA > 0 && byB > 0, `both nodes take a share (a=${byA}, b=${byB})`);
    assert.equal((await counter(a, 'fluxgate_points_duplicate_total')) + (await counter(b, 'fluxgate_points_duplicate_total')), 0);
  });

  test('a command sent on one node reaches the device through the external broker', async () => {
    const dev = await b.createDevice('fleet-2');
    const device = await connectMqtt('mqtt://127.0.0.1:1883', { clientId: `${prefix}-dev2` });
    await device.subscribeAsync(`${prefix}/devices/${dev.id}/commands`, { qos: 1 });
    const got = new Promise<Buffer>((resolve) => device.once('message', (_t, payload) => resolve(payload)));
    const res = await b.request('POST', `/api/v1/devices/${dev.id}/commands`, { command: 'set_power', parameters: { on: false } }, { authorization: `Bearer ${b.adminToken}` });
    const payload = JSON.parse((await got).toString());
    assert.deepEqual([payload.id, payload.command, payload.parameters], [res.body.id, 'set_power', { on: false }]);
    await device.publishAsync(`${prefix}/devices/${dev.id}/commands/ack`, JSON.stringify({ id: res.body.id, status: 'acked' }), { qos: 1 });
    let status = '';
    for (let i = 0; i < 100 && status !== 'acked'; i++) {
      status = (await a.request('GET', `/api/v1/devices/${dev.id}/commands/${res.body.id}`, undefined, { authorization: `Bearer ${a.adminToken}` })).body.status;
      if (status !== 'acked') await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 'acked');
    await device.endAsync();
  });

  test('device log lines through the external broker are stored once', async () => {
    const dev = await a.createDevice('logger-1');
    const device = await connectMqtt('mqtt://127.0.0.1:1883', { clientId: `${prefix}-dev3` });
    // An hour ago, whatever day the suite runs: well inside the log retention.
    const ts = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
    await device.publishAsync(`${prefix}/devices/${dev.id}/logs`, JSON.stringify({ level: 'error', message: 'relay stuck', timestamp: ts }), { qos: 1 });
    await device.endAsync();
    const query = () => a.platform.storage.queryLogs({ deviceId: dev.id, start: 0, end: ts + 1, order: 'asc', limit: 10 });
    for (let i = 0; i < 100 && (await query()).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual((await query()).map((e) => [e.ts, e.level, e.message]), [[ts, 'error', 'relay stuck']]);
  });

  test('HTTP auth and ACL hooks answer from the device registry', async () => {
    const dev = await a.createDevice('hooked-1');
    const broker = { authorization: `Bearer ${hookSecret}` };
    const ok = await a.request('POST', '/api/v1/mqtt/auth', { username: dev.id, password: dev.apiKey, clientid: 'x' }, broker);
    assert.deepEqual([ok.status, ok.body], [200, { result: 'allow', is_superuser: false }]);
    const bad = await a.request('POST', '/api/v1/mqtt/auth', { username: dev.id, password: 'fgk_nope' }, broker);
    assert.deepEqual([bad.status, bad.body], [403, { result: 'deny' }]);
    const acl = (topic: string, action: 'publish' | 'subscribe') => a.request('POST', '/api/v1/mqtt/acl', { username: dev.id, topic, action }, broker);
    assert.equal((await acl(`${prefix}/devices/hooked-1/data`, 'publish')).status, 200);
    assert.equal((await acl(`${prefix}/devices/fleet-1/data`, 'publish')).status, 403);
    assert.equal((await acl(`${prefix}/devices/hooked-1/commands`, 'subscribe')).status, 200);
    assert.equal((await acl(`${prefix}/devices/+/commands`, 'subscribe')).status, 403);
    const goAuth = await a.request('POST', '/api/v1/mqtt/acl', { username: dev.id, topic: `${prefix}/devices/hooked-1/commands`, acc: 4 }, broker);
    assert.equal(goAuth.status, 200);
  });
});

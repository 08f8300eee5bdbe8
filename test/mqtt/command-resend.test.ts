// At-least-once commands: a command left `pending` and never published (stored straight into
// storage, as a node killed before handing it to the broker leaves it) is sent by the scheduler
// leader once it is COMMAND_RESEND_AFTER_MS old, reaches a real MQTT device, becomes `delivered`,
// and is not sent again. Embedded broker on SQLite; two nodes on PostgreSQL and the real Mosquitto.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import type { Command } from '../../src/domain/command.ts';
import { generateId } from '../../src/domain/ids.ts';
import { connectMqtt } from '../helpers/mqtt.ts';
import { type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';
import { TEST_DATABASE_URL, dropSchema, mosquittoSkipReason, postgresSkipReason, uniqueSchema } from '../helpers/services.ts';

const RESEND = { COMMAND_RESEND_AFTER_MS: '200' };

/** Polls until `check` holds; `limitMs` bounds a broken build, it is not a timing claim. */
async function eventually<T>(what: string, read: () => Promise<T>, check: (v: T) => boolean, limitMs = 20_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = await read();
    if (check(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The ids of the commands a device client received on `topic`, in order. */
function received(client: MqttClient, topic: string): string[] {
  const ids: string[] = [];
  client.on('message', (t, payload) => {
    if (t === topic) ids.push((JSON.parse(payload.toString()) as { id: string }).id);
  });
  return ids;
}

/** A pending command written to storage without the bus event: nothing has published it. */
function storeUnpublished(tp: TestPlatform, deviceId: string): Promise<Command> {
  const now = Date.now();
  return tp.platform.storage.createCommand({ id: generateId('cmd'), deviceId, command: 'set_power', parameters: { on: true }, createdBy: null, createdAt: now, expiresAt: now + 60_000 });
}

async function resendRuns(nodes: TestPlatform[]): Promise<number> {
  let runs = 0;
  for (const tp of nodes) runs += (await tp.request('GET', '/health?detailed=true')).body.checks.scheduler.job_runs['command-resend'] ?? 0;
  return runs;
}

/** The command reaches the device once, is delivered, and two more leader runs do not send it again. */
async function deliveredOnce(nodes: TestPlatform[], deviceId: string, command: Command, ids: string[]): Promise<void> {
  const storage = nodes[0]!.platform.storage;
  await eventually('the command never reached the device', async () => ids, (v) => v.includes(command.id));
  const stored = await eventually('the command never became delivered', async () => (await storage.getCommand(deviceId, command.id))?.status, (s) => s === 'delivered');
  assert.equal(stored, 'delivered');
  const runs = await resendRuns(nodes);
  await eventually('the leader stopped running the resend', () => resendRuns(nodes), (n) => n >= runs + 2);
  assert.deepEqual(ids, [command.id], 'sent once: a delivered command is not sent again');
}

describe('resend of stale pending commands: embedded broker, SQLite', { timeout: 60_000 }, () => {
  let tp: TestPlatform;
  const clients: MqttClient[] = [];
  before(async () => {
    tp = await startTestPlatform(RESEND);
  });
  after(async () => {
    for (const c of clients) c.end(true);
    await tp?.stop();
  });

  test('a pending command nobody published reaches the connected device and becomes delivered', async () => {
    const dev = await tp.createDevice('resend-1');
    const device = await connectMqtt(tp.mqttUrl, { username: dev.id, password: dev.apiKey });
    clients.push(device);
    const topic = `devices/${dev.id}/commands`;
    await device.subscribeAsync(topic, { qos: 1 });
    const ids = received(device, topic);
    const command = await storeUnpublished(tp, dev.id);
    await deliveredOnce([tp], dev.id, command, ids);
  });

  test('a disconnected device is left alone: its command stays pending and goes out when it subscribes', async () => {
    const dev = await tp.createDevice('resend-2');
    const command = await storeUnpublished(tp, dev.id);
    const runs = await resendRuns([tp]);
    await eventually('the leader stopped running the resend', () => resendRuns([tp]), (n) => n >= runs + 2);
    assert.equal((await tp.platform.storage.getCommand(dev.id, command.id))?.status, 'pending');
    const device = await connectMqtt(tp.mqttUrl, { username: dev.id, password: dev.apiKey });
    clients.push(device);
    const topic = `devices/${dev.id}/commands`;
    const ids = received(device, topic);
    await device.subscribeAsync(topic, { qos: 1 });
    await eventually('the command never reached the device', async () => ids, (v) => v.includes(command.id));
  });
});

const externalSkip = (await mosquittoSkipReason()) ?? (await postgresSkipReason());

describe('resend of stale pending commands: two nodes, PostgreSQL and Mosquitto', { skip: externalSkip ?? false, timeout: 60_000 }, () => {
  const schema = uniqueSchema('resend');
  const prefix = `fgtest-${schema}`;
  const env = { ...RESEND, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, MQTT_URL: 'mqtt://127.0.0.1:1883', MQTT_TOPIC_PREFIX: prefix, MQTT_HOOK_SECRET: 'h'.repeat(40) };
  const nodes: TestPlatform[] = [];
  let device: MqttClient | undefined;
  before(async () => {
    nodes.push(await startTestPlatform(env));
    nodes.push(await startTestPlatform(env));
  });
  after(async () => {
    await device?.endAsync();
    for (const tp of nodes) await tp.stop();
    await dropSchema(schema);
  });

  test('the leader publishes a pending command a killed node left behind, on the device topic', async () => {
    const dev = await nodes[0]!.createDevice('resend-ext-1');
    device = await connectMqtt('mqtt://127.0.0.1:1883', { clientId: `${prefix}-dev` });
    const topic = `${prefix}/devices/${dev.id}/commands`;
    await device.subscribeAsync(topic, { qos: 1 });
    const ids = received(device, topic);
    const command = await storeUnpublished(nodes[1]!, dev.id);
    await deliveredOnce(nodes, dev.id, command, ids);
  });
});

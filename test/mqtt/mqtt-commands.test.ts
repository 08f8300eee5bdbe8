import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import type { BusEvents } from '../../src/services/event-bus.ts';
import { connectMqtt, nextMessage } from '../helpers/mqtt.ts';
import { ADMIN_PASSWORD, type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';

/** Records every command update from the start, so a wait cannot miss one that already happened. */
function watchCommands(tp: TestPlatform) {
  const seen: Array<BusEvents['command.updated']['command']> = [];
  const waiters: Array<() => void> = [];
  tp.platform.bus.on('command.updated', 'test-watch', ({ command }) => {
    seen.push(command);
    for (const w of waiters.splice(0)) w();
  });
  return {
    async reaches(id: string, status: string) {
      for (;;) {
        const hit = seen.find((c) => c.id === id && c.status === status);
        if (hit) return hit;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

describe('commands and desired state', { timeout: 30_000 }, () => {
  let tp: TestPlatform;
  let dev: { id: string; apiKey: string };
  let auth: Record<string, string>;
  const clients: MqttClient[] = [];
  let watch: ReturnType<typeof watchCommands>;

  before(async () => {
    tp = await startTestPlatform();
    dev = await tp.createDevice('plug-1');
    auth = { authorization: `Bearer ${tp.adminToken}` };
    watch = watchCommands(tp);
  });
  after(async () => {
    for (const c of clients) c.end(true);
    await tp.stop();
  });

  test('a command goes out over MQTT, is delivered, and is acked from commands/ack', async () => {
    const c = await connectMqtt(tp.mqttUrl, { username: dev.id, password: dev.apiKey });
    clients.push(c);
    await c.subscribeAsync('devices/plug-1/commands', { qos: 1 });
    const received = nextMessage(c, 'devices/plug-1/commands');
    const res = await tp.request('POST', '/api/v1/devices/plug-1/commands', { command: 'set_power', parameters: { on: true }, timeout_s: 60 }, auth);
    assert.equal(res.status, 201);
    assert.deepEqual([res.body.status, res.body.command, res.body.parameters, res.body.device_id], ['pending', 'set_power', { on: true }, 'plug-1']);
    const id = res.body.id as string;
    const msg = await received;
    assert.equal(msg.qos, 1);
    const payload = JSON.parse(msg.payload.toString());
    assert.deepEqual({ id: payload.id, command: payload.command, parameters: payload.parameters, expires_at: payload.expires_at }, {
      id,
      command: 'set_power',
      parameters: { on: true },
      expires_at: res.body.expires_at,
    });
    await watch.reaches(id, 'delivered');
    await c.publishAsync('devices/plug-1/commands/ack', JSON.stringify({ id, status: 'acked', result: { on: true } }), { qos: 1 });
    await watch.reaches(id, 'acked');
    const view = await tp.request('GET', `/api/v1/devices/plug-1/commands/${id}`, undefined, auth);
    assert.deepEqual([view.body.status, view.body.result, view.body.error, typeof view.body.delivered_at, typeof view.body.completed_at], ['acked', { on: true }, null, 'string', 'string']);
    const list = await tp.request('GET', '/api/v1/devices/plug-1/commands?status=acked', undefined, auth);
    assert.deepEqual(list.body.map((x: { id: string }) => x.id), [id]);
  });

  test('an HTTP-only device fetches its open commands and acks over HTTP', async () => {
    const key = { 'x-api-key': dev.apiKey };
    const sent = await tp.request('POST', '/api/v1/devices/plug-1/commands', { command: 'set_target_temperature', parameters: { value: 21.5 } }, auth);
    const fetched = await tp.request('GET', '/api/v1/devices/commands', undefined, key);
    assert.equal(fetched.status, 200);
    const mine = fetched.body.find((x: { id: string }) => x.id === sent.body.id);
    assert.deepEqual([mine.status, mine.parameters], ['delivered', { value: 21.5 }]);
    const failed = await tp.request('POST', `/api/v1/devices/commands/${sent.body.id}/ack`, { status: 'failed', error: 'valve stuck' }, key);
    assert.deepEqual([failed.status, failed.body.status, failed.body.error], [200, 'failed', 'valve stuck']);
    const again = await tp.request('POST', `/api/v1/devices/commands/${sent.body.id}/ack`, { status: 'acked' }, key);
    assert.deepEqual([again.status, again.body.error.code], [409, 'COMMAND_CLOSED']);
    const unknown = await tp.request('POST', '/api/v1/devices/commands/cmd-nope/ack', { status: 'acked' }, key);
    assert.deepEqual([unknown.status, unknown.body.error.code], [404, 'COMMAND_NOT_FOUND']);
  });

  test('an unacknowledged command expires after timeout_s', async () => {
    const sent = await tp.request('POST', '/api/v1/devices/plug-1/commands', { command: 'reboot', timeout_s: 1 }, auth);
    await new Promise((r) => setTimeout(r, 1100));
    const view = await tp.request('GET', `/api/v1/devices/plug-1/commands/${sent.body.id}`, undefined, auth);
    assert.equal(view.body.status, 'expired');
  });

  test('bad command bodies get 400 naming the field; users without control get 404', async () => {
    const bad = await tp.request('POST', '/api/v1/devices/plug-1/commands', { command: '', parameters: 3 }, auth);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
    assert.match(JSON.stringify(bad.body.error), /command/);
    await tp.request('POST', '/api/v1/auth/register', { username: 'mallory', password: 'mallory-password' });
    const login = await tp.request('POST', '/api/v1/auth/login', { username: 'mallory', password: 'mallory-password' });
    const other = { authorization: `Bearer ${login.body.access_token}` };
    const refused = await tp.request('POST', '/api/v1/devices/plug-1/commands', { command: 'set_power' }, other);
    assert.deepEqual([refused.status, refused.body.error.code], [404, 'DEVICE_NOT_FOUND']);
    const state = await tp.request('PUT', '/api/v1/devices/plug-1/state', { desired: { on: false } }, other);
    assert.deepEqual([state.status, state.body.error.code], [404, 'DEVICE_NOT_FOUND']);
  });

  test('desired state is published retained, re-sent on reconnect, and compared with reported telemetry', async () => {
    const thermo = await tp.createDevice('thermo-9');
    const put = await tp.request('PUT', '/api/v1/devices/thermo-9/state', { desired: { target_temperature: 21.5, mode: 'comfort' } }, auth);
    assert.equal(put.status, 200);
    assert.deepEqual([put.body.desired, put.body.version], [{ target_temperature: 21.5, mode: 'comfort' }, 1]);
    const c = await connectMqtt(tp.mqttUrl, { username: thermo.id, password: thermo.apiKey });
    clients.push(c);
    const first = nextMessage(c, 'devices/thermo-9/state/desired');
    await c.subscribeAsync('devices/thermo-9/state/desired', { qos: 1 });
    // The retained copy and the copy re-sent on connect race; both carry the same state.
    const msg = await first;
    assert.deepEqual(JSON.parse(msg.payload.toString()).desired, { target_temperature: 21.5, mode: 'comfort' });
    const admin = await connectMqtt(tp.mqttUrl, { username: 'admin', password: ADMIN_PASSWORD });
    clients.push(admin);
    const retained = nextMessage(admin, 'devices/thermo-9/state/desired');
    await admin.subscribeAsync('devices/thermo-9/state/desired', { qos: 1 });
    const kept = await retained;
    assert.deepEqual([kept.retain, JSON.parse(kept.payload.toString()).version], [true, 1]);
    const update = nextMessage(c, 'devices/thermo-9/state/desired');
    await tp.request('PUT', '/api/v1/devices/thermo-9/state', { desired: { mode: null, target_temperature: 22 } }, auth);
    const body = JSON.parse((await update).payload.toString());
    assert.deepEqual([body.desired, body.version], [{ target_temperature: 22 }, 2]);
    await c.publishAsync('devices/thermo-9/data', JSON.stringify({ temperature: 20.4, target_temperature: 21 }), { qos: 1 });
    const state = await tp.request('GET', '/api/v1/devices/thermo-9/state', undefined, auth);
    assert.deepEqual(
      { desired: state.body.desired, reported: state.body.reported, delta: state.body.delta, version: state.body.version },
      { desired: { target_temperature: 22 }, reported: { temperature: 20.4, target_temperature: 21 }, delta: { target_temperature: 22 }, version: 2 },
    );
    const self = await tp.request('GET', '/api/v1/devices/state', undefined, { 'x-api-key': thermo.apiKey });
    assert.deepEqual(self.body.delta, { target_temperature: 22 });
  });
});

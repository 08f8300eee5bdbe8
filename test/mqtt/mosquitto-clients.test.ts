// The embedded broker driven by Debian's mosquitto_pub / mosquitto_sub (real third-party clients).
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { Client } from 'aedes';
import { connectMqtt, messageMatching } from '../helpers/mqtt.ts';
import { ADMIN_PASSWORD, type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';
import { mosquittoClientsSkipReason } from '../helpers/services.ts';

const skip = mosquittoClientsSkipReason();

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 10_000 }, (err, stdout, stderr) => {
      const code = err ? Number((err as { code?: unknown }).code ?? 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('mosquitto_pub / mosquitto_sub against the embedded broker', { skip: skip ?? false, timeout: 30_000 }, () => {
  let tp: TestPlatform;
  let dev: { id: string; apiKey: string };
  let base: string[];
  const children: ChildProcess[] = [];

  /** Resolves once the broker has a subscription from `clientId`. */
  const subscribed = (clientId: string) =>
    new Promise<void>((resolve) => {
      const aedes = tp.platform.mqtt?.broker?.aedes;
      const onSub = (_subs: unknown, client: Client) => {
        if (client.id !== clientId) return;
        aedes?.off('subscribe', onSub);
        resolve();
      };
      aedes?.on('subscribe', onSub);
    });

  before(async () => {
    tp = await startTestPlatform();
    dev = await tp.createDevice('mosq-1');
    await tp.createDevice('mosq-2');
    base = ['-h', '127.0.0.1', '-p', String(tp.mqttPort), '-V', 'mqttv311', '-u', dev.id, '-P', dev.apiKey];
  });
  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await tp.stop();
  });

  test('telemetry in: mosquitto_pub -q 1 returns after the points are stored', async () => {
    const res = await run('mosquitto_pub', [...base, '-t', 'devices/mosq-1/data', '-q', '1', '-m', JSON.stringify({ temperature: 19.25, timestamp: 1_700_000_000_000 })]);
    assert.deepEqual(res, { code: 0, stdout: '', stderr: '' });
    assert.deepEqual((await tp.platform.storage.latestPoints('mosq-1')).map((p) => [p.field, p.ts, p.value]), [['temperature', 1_700_000_000_000, 19.25]]);
  });

  test('command out: mosquitto_sub receives a command sent over HTTP', async () => {
    const ready = subscribed('mosq-sub-1');
    const sub = spawn('mosquitto_sub', [...base, '-i', 'mosq-sub-1', '-t', 'devices/mosq-1/commands', '-q', '1', '-C', '1']);
    children.push(sub);
    let out = '';
    sub.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => sub.once('exit', resolve));
    await ready;
    const res = await tp.request('POST', '/api/v1/devices/mosq-1/commands', { command: 'set_power', parameters: { on: true } }, { authorization: `Bearer ${tp.adminToken}` });
    assert.equal(await exited, 0);
    const payload = JSON.parse(out);
    assert.deepEqual([payload.id, payload.command, payload.parameters], [res.body.id, 'set_power', { on: true }]);
  });

  test('ACL refusal: another device\'s topics are denied, wrong key refused', async () => {
    const sub = await run('mosquitto_sub', [...base, '-t', 'devices/mosq-2/commands', '-C', '1', '-W', '5']);
    assert.equal(sub.stderr, 'All subscription requests were denied.\n');
    const pub = await run('mosquitto_pub', [...base, '-t', 'devices/mosq-2/data', '-q', '1', '-m', '{"stolen":1}']);
    assert.notEqual(pub.code, 0);
    assert.deepEqual(await tp.platform.storage.latestPoints('mosq-2'), []);
    const wrong = await run('mosquitto_pub', [...base.slice(0, -1), 'fgk_wrong', '-t', 'devices/mosq-1/data', '-m', '{"a":1}']);
    assert.match(wrong.stderr, /bad user name or password/);
  });

  test('last will: a killed mosquitto_sub leaves the device offline', async () => {
    // A device of its own, so connections of the tests above cannot overlap with this one.
    const dev3 = await tp.createDevice('mosq-3');
    const creds3 = ['-h', '127.0.0.1', '-p', String(tp.mqttPort), '-V', 'mqttv311', '-u', dev3.id, '-P', dev3.apiKey];
    const admin = await connectMqtt(tp.mqttUrl, { username: 'admin', password: ADMIN_PASSWORD });
    try {
      await admin.subscribeAsync('devices/mosq-3/status', { qos: 1 });
      const ready = subscribed('mosq-will');
      const online = messageMatching(admin, 'devices/mosq-3/status', (b) => b.status === 'online');
      const sub = spawn('mosquitto_sub', [
        ...creds3, '-i', 'mosq-will', '-t', 'devices/mosq-3/commands',
        '--will-topic', 'devices/mosq-3/status', '--will-payload', '{"status":"offline"}', '--will-qos', '1', '--will-retain',
      ]);
      children.push(sub);
      await ready;
      await online;
      assert.equal(tp.platform.connectivity.isOnline('mosq-3'), true);
      const offline = messageMatching(admin, 'devices/mosq-3/status', (b) => b.status === 'offline');
      const wentOffline = new Promise<string>((resolve) =>
        tp.platform.bus.on('device.status', 'test-will', (e) => {
          if (e.deviceId === 'mosq-3' && !e.online) resolve(e.reason);
        }),
      );
      sub.kill('SIGKILL');
      assert.equal((await offline).status, 'offline');
      assert.equal(await wentOffline, 'disconnected');
      tp.platform.bus.removeOwner('test-will');
      assert.equal(tp.platform.connectivity.isOnline('mosq-3'), false);
    } finally {
      await admin.endAsync();
    }
  });
});

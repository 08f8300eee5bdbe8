// `fluxgate simulate`: flag rules (pure) and a real run of the command against a real platform.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FlagError, planSimulation, type SimulateFlags } from '../../src/cli/simulate-options.ts';
import { ADMIN_PASSWORD, startSimPlatform, type SimPlatform } from './fixtures.ts';

const defaults: SimulateFlags = {
  url: 'http://127.0.0.1:8080',
  username: 'admin',
  count: '5',
  types: 'seed001',
  transport: 'mqtt',
  topicPrefix: '',
  profile: 'default',
  seed: '1',
  progress: true,
};

describe('simulate flags', () => {
  test('defaults: the five seed-001 devices over MQTT on the platform host', () => {
    const plan = planSimulation({ ...defaults, password: 'pw-123456' }, {});
    assert.deepStrictEqual(plan.types, ['hvac', 'led_lighting', 'server_rack', 'production_line', 'kitchen_equipment']);
    assert.equal(plan.mqttUrl, 'mqtt://127.0.0.1:1883');
    assert.deepStrictEqual(plan.auth, { username: 'admin', password: 'pw-123456' });
    assert.equal(plan.knobs.intervalMs, 5000);
  });

  test('knob flags override the profile', () => {
    const plan = planSimulation(
      { ...defaults, token: 't', profile: 'industrial', interval: '0.5', minutesPerSecond: '2', dropRate: '0', offlineSeconds: '3' },
      {},
    );
    assert.equal(plan.knobs.intervalMs, 500);
    assert.equal(plan.knobs.timeAcceleration, 120);
    assert.equal(plan.knobs.faults.drop, 0);
    assert.equal(plan.knobs.faults.offlineMs, 3000);
    assert.equal(plan.knobs.faults.spike, 0.01);
  });

  test('bad values name their flag', () => {
    const cases: Array<[Partial<SimulateFlags>, string]> = [
      [{ types: 'thermostat,toaster' }, '--types: unknown toaster; use '],
      [{ count: '2.5' }, '--count must be a whole number (got "2.5")'],
      [{ dropRate: '1.5' }, '--drop-rate must be a number from 0 to 1 (got "1.5")'],
      [{ transport: 'coap' }, '--transport must be mqtt or http (got "coap")'],
      [{ url: 'localhost' }, '--url must be a URL like http://127.0.0.1:8080 (got "localhost")'],
    ];
    for (const [flags, message] of cases) {
      assert.throws(() => planSimulation({ ...defaults, token: 't', ...flags }, {}), (err: Error) => err instanceof FlagError && err.message.startsWith(message), message);
    }
    assert.throws(() => planSimulation(defaults, {}), /give --devices-file, or credentials/);
  });
});

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/fluxgate.js', 'simulate', ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('fluxgate simulate against a running platform', () => {
  let sp: SimPlatform;
  let dir: string;
  before(async () => {
    sp = await startSimPlatform();
    dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-simcli-'));
  });
  after(async () => {
    await sp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('provisions devices, sends over HTTP, prints progress and a summary; the platform stored it all', async () => {
    const file = path.join(dir, 'devices.json');
    const r = await runCli(
      ['--url', sp.baseUrl, '--transport', 'http', '-n', '2', '--types', 'thermostat,smart_meter', '--interval', '0.1', '--duration', '1.5', '--save-devices', file],
      { FLUXGATE_PASSWORD: ADMIN_PASSWORD },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Provisioned 2 devices on http:\/\/127\.0\.0\.1:\d+ \(thermostat, smart_meter\)$/m);
    assert.match(r.stderr, /2\/2 online \| [\d.]+ msg\/s \| sent \d+ \| accepted \d+ \| acks 0 \| errors 0/);
    const m = /messages: (\d+) sent, (\d+) accepted, 0 refused, 0 failed/.exec(r.stdout);
    assert.ok(m, r.stdout);
    const accepted = Number(m[2]);
    assert.ok(accepted > 0);

    const devices = JSON.parse(readFileSync(file, 'utf8')) as Array<{ id: string; api_key: string; type: string }>;
    assert.deepStrictEqual(devices.map((d) => d.type), ['thermostat', 'smart_meter']);
    let messages = 0;
    for (const d of devices) {
      // Read back with the device's own key, as the device itself may.
      const res = await fetch(`${sp.baseUrl}/api/v1/telemetry/${d.id}?limit=10000`, { headers: { 'x-api-key': d.api_key } });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { points: Array<{ ts: number }> };
      messages += new Set(body.points.map((p) => p.ts)).size;
    }
    assert.equal(messages, accepted);
  });

  test('wrong credentials stop with a clear message and exit code 1', async () => {
    const r = await runCli(['--url', sp.baseUrl, '--transport', 'http', '--password', 'wrong-password', '--duration', '1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^fluxgate: POST \/api\/v1\/auth\/login answered 401: /m);
  });
});

// Demo mode and the simulation control API, over real HTTP. The embedded simulator's devices connect
// to the embedded MQTT broker with their own keys; with the broker off they send over HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { attachDemo } from '../../src/cli/demo.ts';
import { createPlatform } from '../../src/cli/platform.ts';
import { loadConfig } from '../../src/config.ts';
import { DEFAULT_DEVICES, DEMO_BACKFILL_DAYS, DEMO_DEVICES } from '../../src/simulator/embedded.ts';
import { ADMIN_PASSWORD } from './fixtures.ts';

/** Bodies are checked with exact assertions, so they are read untyped. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function startDemo(env: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-demo-'));
  const platform = await createPlatform(loadConfig({ HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', LOG_LEVEL: 'silent', ADMIN_PASSWORD, DATA_DIR: dir, DEMO: 'true', ...env }));
  const demo = attachDemo(platform);
  const { port } = await platform.listen();
  await demo.start(port);
  const base = `http://127.0.0.1:${port}`;
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  const token = ((await login.json()) as { access_token: string }).access_token;
  const stop = async () => {
    await demo.stop();
    await platform.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { platform, demo, base, token, stop };
}

describe('demo mode and /api/v1/simulation', () => {
  let base: string;
  let token: string;
  const api = async (method: string, url: string, auth = token) => {
    const res = await fetch(base + url, { method, headers: { authorization: `Bearer ${auth}` } });
    return { status: res.status, body: (await res.json()) as Json };
  };

  let stop: () => Promise<void>;
  before(async () => {
    ({ base, token, stop } = await startDemo());
  });
  after(async () => stop?.());

  test('the five seed-001 devices and one of every other kind exist and report', async () => {
    assert.deepStrictEqual(
      DEFAULT_DEVICES.map((d) => d.id),
      ['mock-hvac-001', 'mock-led-lighting-001', 'mock-server-rack-001', 'mock-production-line-001', 'mock-kitchen-equipment-001'],
    );
    assert.deepStrictEqual(
      DEMO_DEVICES.map((d) => d.type),
      ['hvac', 'led_lighting', 'server_rack', 'production_line', 'kitchen_equipment', 'thermostat', 'smart_plug', 'smart_meter', 'door_lock', 'camera', 'motion_sensor'],
    );
    const status = await api('GET', '/api/v1/simulation/status');
    assert.equal(status.status, 200);
    assert.equal(status.body.running, true);
    assert.equal(status.body.transport, 'mqtt');
    // Each device holds its own connection to the embedded broker (logged in with its own key).
    const stats = await api('GET', '/api/v1/admin/stats');
    assert.equal(stats.body.connections.mqtt, DEMO_DEVICES.length);
    assert.deepStrictEqual((status.body.devices as Array<{ online: boolean }>).map((d) => d.online), DEMO_DEVICES.map(() => true));
    assert.deepStrictEqual(
      (status.body.devices as Array<{ id: string; type: string }>).map((d) => [d.id, d.type]),
      DEMO_DEVICES.map((d) => [d.id, d.type]),
    );
    const sent = await api('POST', '/api/v1/devices/mock-server-rack-001/simulate');
    assert.equal(sent.status, 200);
    assert.equal(sent.body.outcome, 'message');
    const latest = await api('GET', '/api/v1/telemetry/mock-server-rack-001/latest');
    assert.deepStrictEqual(Object.keys(latest.body.values).sort(), ['current', 'enabled', 'energy', 'power', 'status', 'voltage']);
  });

  test('each demo device was created with days of history, so charts and energy pages are not empty', async () => {
    const history = await api('GET', `/api/v1/telemetry/demo-smart-meter-001?fields=energy_usage&order=asc&limit=10000&start_time=-${DEMO_BACKFILL_DAYS + 1}d`);
    const ts = (history.body.points as Array<{ ts: number }>).map((p) => p.ts);
    assert.ok(ts.length >= DEMO_BACKFILL_DAYS * 96, `${ts.length} readings`);
    const oldest = Date.now() - ts[0]!;
    assert.ok(oldest > (DEMO_BACKFILL_DAYS * 24 - 1) * 3_600_000 && oldest <= DEMO_BACKFILL_DAYS * 86_400_000 + 600_000, `oldest reading ${oldest} ms ago`);
    const thermostat = await api('GET', '/api/v1/telemetry/demo-thermostat-001?fields=temperature&limit=1&order=asc&start_time=-4d');
    assert.equal(thermostat.body.points.length, 1);
  });

  test('stop and start; control needs an admin', async () => {
    const stopped = await api('POST', '/api/v1/simulation/stop');
    assert.equal(stopped.body.running, false);
    const refused = await api('POST', '/api/v1/devices/mock-hvac-001/simulate');
    assert.deepStrictEqual([refused.status, (refused.body.error).code], [409, 'SIMULATION_NOT_RUNNING']);
    const started = await api('POST', '/api/v1/simulation/start');
    assert.equal(started.body.running, true);
    const anon = await fetch(`${base}/api/v1/simulation/status`);
    assert.equal(anon.status, 401);
    await fetch(`${base}/api/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bob', password: 'bob-password-1' }) });
    const bobLogin = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bob', password: 'bob-password-1' }) });
    const bob = ((await bobLogin.json()) as { access_token: string }).access_token;
    // A hostile (non-admin) user is refused every control endpoint, and nothing changes.
    const before = await api('GET', '/api/v1/simulation/status');
    for (const [method, url] of [
      ['GET', '/api/v1/simulation/status'],
      ['POST', '/api/v1/simulation/stop'],
      ['POST', '/api/v1/simulation/start'],
      ['POST', '/api/v1/devices/mock-hvac-001/simulate'],
      ['POST', '/api/v1/simulation/generate?num_devices=1&days=1'],
    ]) {
      const forbidden = await api(method!, url!, bob);
      assert.deepStrictEqual([forbidden.status, (forbidden.body.error).code], [403, 'FORBIDDEN'], `${method} ${url}`);
    }
    const after = await api('GET', '/api/v1/simulation/status');
    assert.deepStrictEqual([after.body.running, after.body.devices.length], [before.body.running, before.body.devices.length]);
    const bobsDevices = await api('GET', '/api/v1/devices', bob);
    assert.equal(bobsDevices.body.total, 0, 'generate refused: nothing created for bob');
  });

  test('generate creates seed-002 devices and back-fills their history', async () => {
    const res = await api('POST', '/api/v1/simulation/generate?num_devices=5&days=1');
    assert.equal(res.status, 201);
    const devices = res.body.devices as Array<{ id: string; type: string }>;
    assert.deepStrictEqual(devices.map((d) => d.type), ['thermostat', 'camera', 'motion_sensor', 'door_lock', 'smart_plug']);
    assert.equal(res.body.messages, 5 * 96, 'one reading per 15 minutes for a day');
    const history = await api('GET', `/api/v1/telemetry/${devices[3]!.id}?limit=10000&start_time=-2d`);
    assert.equal((history.body.points).length, 96 * 2, 'door lock: locked + battery_level per reading');
  });
});

describe('demo mode with the MQTT broker off', () => {
  test('the simulator falls back to HTTP and the devices still report', async () => {
    const d = await startDemo({ MQTT_ENABLED: 'false' });
    try {
      const res = await fetch(`${d.base}/api/v1/simulation/status`, { headers: { authorization: `Bearer ${d.token}` } });
      const status = (await res.json()) as Json;
      assert.deepStrictEqual([status.transport, status.running, d.platform.mqtt], ['http', true, undefined]);
      const sent = await fetch(`${d.base}/api/v1/devices/mock-hvac-001/simulate`, { method: 'POST', headers: { authorization: `Bearer ${d.token}` } });
      assert.equal(((await sent.json()) as Json).outcome, 'message');
      const latest = await fetch(`${d.base}/api/v1/telemetry/mock-hvac-001/latest`, { headers: { authorization: `Bearer ${d.token}` } });
      assert.equal(latest.status, 200);
    } finally {
      await d.stop();
    }
  });
});

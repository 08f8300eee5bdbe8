// The IoT Mock Service's README examples and endpoint tables, replayed against a running platform
// in demo mode (its five default devices are simulated), with the admin's bearer token where the
// service took none. Device CRUD, /device-types, /health and the simulation control are Fluxgate's
// own paths; readings and a single command are the compatibility routes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { attachDemo } from '../../src/cli/demo.ts';
import { createPlatform, type Platform } from '../../src/cli/platform.ts';
import { loadConfig } from '../../src/config.ts';
import { ADMIN_PASSWORD, type Json, request } from '../helpers/platform.ts';

describe('IoT Mock Service API', () => {
  let platform: Platform;
  let demo: ReturnType<typeof attachDemo>;
  let dir: string;
  let base: string;
  let token: string;
  const api = (method: string, url: string, body?: unknown): Promise<{ status: number; body: Json }> => request(base, method, url, { token, body });

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-mock-'));
    platform = await createPlatform(loadConfig({ HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', LOG_LEVEL: 'silent', ADMIN_PASSWORD, DATA_DIR: dir, DEMO: 'true' }));
    demo = attachDemo(platform);
    const { port } = await platform.listen();
    await demo.start(port);
    base = `http://127.0.0.1:${port}`;
    token = (await request(base, 'POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } })).body.access_token;
  });
  after(async () => {
    await demo?.stop();
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('GET /api/v1/devices lists the five default devices', async () => {
    const res = await api('GET', '/api/v1/devices?limit=100');
    assert.equal(res.status, 200);
    const ids = res.body.devices.map((d: { id: string }) => d.id);
    for (const id of ['mock-hvac-001', 'mock-led-lighting-001', 'mock-server-rack-001', 'mock-production-line-001', 'mock-kitchen-equipment-001']) assert.ok(ids.includes(id), id);
  });

  it('POST /api/v1/devices creates a device from the README body', async () => {
    const res = await api('POST', '/api/v1/devices', { device_type: 'hvac', name: 'Main Building HVAC', location: 'Building A - Roof', base_power: 25.0, base_voltage: 240.0 });
    assert.deepStrictEqual([res.status, res.body.name, res.body.device_type, res.body.location], [201, 'Main Building HVAC', 'hvac', 'Building A - Roof']);
    assert.deepStrictEqual([res.body.base_power, res.body.base_voltage], [25, 240], 'base_power and base_voltage come back');
    const one = await api('GET', `/api/v1/devices/${res.body.id}`);
    assert.deepStrictEqual([one.status, one.body.base_power, one.body.base_voltage, one.body.config], [200, 25, 240, { base_power: 25, base_voltage: 240 }]);
    const updated = await api('PUT', `/api/v1/devices/${res.body.id}`, { location: 'Building B', base_power: 30 });
    assert.deepStrictEqual([updated.status, updated.body.location, updated.body.base_power, updated.body.base_voltage], [200, 'Building B', 30, 240]);
    const bad = await api('POST', '/api/v1/devices', { device_type: 'hvac', name: 'Bad HVAC', base_power: 'lots' });
    assert.deepStrictEqual([bad.status, bad.body.error.code], [400, 'VALIDATION_FAILED']);
    assert.equal((await api('DELETE', `/api/v1/devices/${res.body.id}?confirm=true`)).status, 204);
  });

  it('simulation control: status, stop, start', async () => {
    const status = await api('GET', '/api/v1/simulation/status');
    assert.deepStrictEqual([status.status, status.body.running], [200, true]);
    const stopped = await api('POST', '/api/v1/simulation/stop');
    assert.deepStrictEqual([stopped.status, stopped.body.running], [200, false]);
    const started = await api('POST', '/api/v1/simulation/start');
    assert.deepStrictEqual([started.status, started.body.running], [200, true]);
  });

  it('POST /api/v1/devices/{id}/simulate sends one reading; GET …/readings answers it flat', async () => {
    const sim = await api('POST', '/api/v1/devices/mock-hvac-001/simulate');
    assert.deepStrictEqual([sim.status, sim.body.device_id], [200, 'mock-hvac-001']);
    const res = await api('GET', '/api/v1/devices/mock-hvac-001/readings');
    assert.equal(res.status, 200);
    assert.equal(res.body.device_id, 'mock-hvac-001');
    for (const field of ['power', 'voltage', 'current', 'energy']) assert.equal(typeof res.body[field], 'number', field);
    assert.equal(typeof res.body.timestamp, 'string');
    assert.ok(['online', 'offline'].includes(res.body.status));
    assert.equal(res.body.enabled, true);
    const missing = await api('GET', '/api/v1/devices/mock-nope-001/readings');
    assert.deepStrictEqual([missing.status, missing.body.error.code], [404, 'DEVICE_NOT_FOUND']);
  });

  it('POST /api/v1/devices/{id}/command sends a command that the device follows', async () => {
    const res = await api('POST', '/api/v1/devices/mock-hvac-001/command', { command: 'set_power', parameters: { power: 30.0 } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepStrictEqual([res.body.device_id, res.body.command, res.body.parameters], ['mock-hvac-001', 'set_power', { power: 30 }]);
    const listed = await api('GET', '/api/v1/devices/mock-hvac-001/commands');
    assert.ok(listed.body.some((c: { id: string }) => c.id === res.body.id));
    const bad = await api('POST', '/api/v1/devices/mock-hvac-001/command', { parameters: {} });
    assert.deepStrictEqual([bad.status, bad.body.error.code], [400, 'VALIDATION_FAILED']);
  });

  it('GET /api/v1/device-types and /health answer', async () => {
    const types = await api('GET', '/api/v1/device-types');
    assert.equal(types.status, 200);
    assert.ok(types.body.includes('hvac'));
    assert.equal((await api('GET', '/health')).status, 200);
  });

  it('is in the OpenAPI document under its own tag', async () => {
    const doc = (await api('GET', '/openapi.json')).body;
    assert.deepStrictEqual(doc.paths['/api/v1/devices/{id}/readings'].get.tags, ['IoT Mock Service']);
  });
});

// `fluxgate start` without --demo: the IoT Mock Service's simulation control and the Smart Home IoT
// Data Service's generate-and-store answer 409 SIMULATION_NOT_RUNNING saying how to start it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { listening, runningCli, startCli, stopCli } from '../helpers/cli-process.ts';
import { request } from '../helpers/platform.ts';

describe('simulation routes without the demo (CLI)', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-nodemo-'));
  after(() => {
    for (const child of runningCli) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 409 SIMULATION_NOT_RUNNING, naming --demo', async () => {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', LOG_LEVEL: 'info', DATA_DIR: dataDir, ADMIN_PASSWORD: 'admin-password-1' };
    const run = startCli(path.resolve('bin/fluxgate.js'), ['start'], env);
    try {
      const base = `http://127.0.0.1:${await listening(run)}`;
      const token = (await request(base, 'POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'admin-password-1' } })).body.access_token as string;
      for (const [method, url] of [
        ['GET', '/api/v1/simulation/status'],
        ['POST', '/api/v1/simulation/start'],
        ['POST', '/api/v1/devices/mock-hvac-001/simulate'],
        ['POST', '/generate-and-store?num_devices=5'],
      ] as const) {
        const res = await request(base, method, url, { token });
        assert.deepStrictEqual([url, res.status, res.body.error.code], [url, 409, 'SIMULATION_NOT_RUNNING']);
        assert.match(res.body.error.message, /--demo/, url);
      }
    } finally {
      await stopCli(run);
    }
  });
});

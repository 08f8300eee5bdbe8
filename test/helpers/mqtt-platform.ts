// Starts a real Fluxgate (HTTP + embedded MQTT broker) on random ports with a fresh SQLite DATA_DIR.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { type Platform, createPlatform } from '../../src/cli/platform.ts';
import { loadConfig } from '../../src/config.ts';

export const ADMIN_PASSWORD = 'admin-password-for-tests';

// Tests read response bodies field by field and assert exact values; a loose type keeps that short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

export interface TestPlatform {
  platform: Platform;
  url: string;
  mqttUrl: string;
  mqttPort: number;
  port: number;
  dataDir: string;
  adminToken: string;
  /** Creates a device owned by admin; returns its id and API key. */
  createDevice(id: string): Promise<{ id: string; apiKey: string }>;
  request(method: string, pathname: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: Body }>;
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export async function startTestPlatform(env: Record<string, string> = {}, dataDir?: string): Promise<TestPlatform> {
  const dir = dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'fluxgate-mqtt-'));
  const config = loadConfig({
    DATA_DIR: dir,
    HOST: '127.0.0.1',
    PORT: '0',
    MQTT_PORT: '0',
    ADMIN_PASSWORD,
    PRESENCE_FLUSH_MS: '100',
    ...env,
  });
  const platform = await createPlatform(config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  const { port, mqttPort } = await platform.listen();
  const url = `http://127.0.0.1:${port}`;
  const request = async (method: string, pathname: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(url + pathname, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : null,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const login = await request('POST', '/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
  const adminToken = login.body.access_token as string;
  return {
    platform,
    url,
    port,
    mqttPort: mqttPort ?? 0,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort ?? 0}`,
    dataDir: dir,
    adminToken,
    request,
    async createDevice(id: string) {
      const res = await request('POST', '/api/v1/devices', { id, name: id, device_type: 'sensor' }, { authorization: `Bearer ${adminToken}` });
      if (res.status !== 201) throw new Error(`device create failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { id, apiKey: res.body.api_key as string };
    },
    async stop(options = {}) {
      await platform.stop();
      if (!options.keepData && !dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

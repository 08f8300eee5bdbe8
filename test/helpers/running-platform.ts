// A real platform on a random port with a fresh SQLite folder, and a small HTTP client for tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { type Platform, createPlatform } from '../../src/cli/platform.ts';

export const ADMIN = { username: 'admin', password: 'admin-password-1' };

export interface RunningPlatform {
  platform: Platform;
  url: string;
  port: number;
  /** JSON request; returns status and parsed body (typed loosely: tests assert its exact shape). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  api(method: string, pathname: string, options?: { token?: string; apiKey?: string; body?: unknown }): Promise<{ status: number; body: any }>;
  login(username: string, password: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startPlatform(env: Record<string, string> = {}): Promise<RunningPlatform> {
  const dataDir = env.DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'fluxgate-test-'));
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    MQTT_PORT: '0',
    DATA_DIR: dataDir,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const platform = await createPlatform(config);
  const { port } = await platform.listen();
  const url = `http://127.0.0.1:${port}`;
  const api: RunningPlatform['api'] = async (method, pathname, options = {}) => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.apiKey) headers['x-api-key'] = options.apiKey;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url + pathname, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body };
  };
  return {
    platform,
    url,
    port,
    api,
    async login(username, password) {
      const res = await api('POST', '/api/v1/auth/login', { body: { username, password } });
      if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.access_token as string;
    },
    async stop() {
      await platform.stop();
      if (!env.DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

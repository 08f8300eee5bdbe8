// A real platform for the accounts and security tests: createPlatform on port 0 with a temporary
// SQLite folder (or PostgreSQL in a schema of its own), spoken to over real HTTP with fetch.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Platform, createPlatform } from '../../src/cli/platform.ts';
import { loadConfig } from '../../src/config.ts';
import { TEST_DATABASE_URL, dropSchema, uniqueSchema } from '../helpers/services.ts';

export const ADMIN_PASSWORD = 'admin-password-for-tests';

export interface Reply {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of any endpoint
  text: string;
}

export interface Session {
  token: string;
  refresh: string;
  userId: string;
}

export interface TestPlatform {
  platform: Platform;
  base: string;
  request(method: string, url: string, options?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<Reply>;
  login(username: string, password: string): Promise<Session>;
  admin(): Promise<Session>;
  /** Registers a user through the API and logs them in. */
  user(name?: string): Promise<Session & { username: string; password: string }>;
  /** Creates a device as `session`; returns its id and API key. */
  device(session: Session, body?: Record<string, unknown>): Promise<{ id: string; apiKey: string }>;
  stop(): Promise<void>;
}

let counter = 0;

export async function startPlatform(options: { postgres?: boolean; env?: Record<string, string> } = {}): Promise<TestPlatform> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fluxgate-accounts-'));
  const schema = options.postgres ? uniqueSchema('acc') : undefined;
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    MQTT_PORT: '0',
    DATA_DIR: dir,
    LOG_LEVEL: 'silent',
    ADMIN_PASSWORD,
    // Suites register many users from one IP; the registration limit itself is tested with its own setting.
    RATE_LIMIT_REGISTER: '1000/60',
    ...(schema ? { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema } : {}),
    ...options.env,
  });
  const platform = await createPlatform(config);
  const { port } = await platform.listen();
  const base = `http://127.0.0.1:${port}`;

  const request: TestPlatform['request'] = async (method, url, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined;
    if (o.raw !== undefined) body = o.raw;
    else if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(base + url, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  };

  const login = async (username: string, password: string): Promise<Session> => {
    const res = await request('POST', '/api/v1/auth/login', { body: { username, password } });
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${res.text}`);
    return { token: res.body.access_token, refresh: res.body.refresh_token, userId: res.body.user.id };
  };

  return {
    platform,
    base,
    request,
    login,
    admin: () => login('admin', ADMIN_PASSWORD),
    async user(name) {
      counter += 1;
      const username = name ?? `user${process.pid}x${counter}`;
      const password = `pw-${username}-secret`;
      const res = await request('POST', '/api/v1/auth/register', { body: { username, password } });
      if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${res.text}`);
      return { ...(await login(username, password)), username, password };
    },
    async device(session, body = {}) {
      counter += 1;
      const res = await request('POST', '/api/v1/devices', { token: session.token, body: { name: `device ${counter}`, ...body } });
      if (res.status !== 201) throw new Error(`create device: ${res.status} ${res.text}`);
      return { id: res.body.id, apiKey: res.body.api_key };
    },
    async stop() {
      await platform.stop();
      rmSync(dir, { recursive: true, force: true });
      if (schema) await dropSchema(schema);
    },
  };
}

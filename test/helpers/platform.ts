// Starts the real platform in-process on 127.0.0.1, port 0, against a fresh SQLite folder or a
// fresh PostgreSQL schema, and talks to it over real HTTP (fetch). `forEachStorage` runs one test
// body against both storages; PostgreSQL is skipped with a plain reason when it is not reachable
// (and fails under CI=true, see services.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import { type Platform, createPlatform } from '../../src/cli/platform.ts';
import { loadConfig } from '../../src/config.ts';
import { TEST_DATABASE_URL, dropSchema, postgresSkipReason, uniqueSchema } from './services.ts';

export type StorageKind = 'sqlite' | 'postgres';
export const STORAGES: readonly StorageKind[] = ['sqlite', 'postgres'];
export const ADMIN_PASSWORD = 'admin-test-password-1';

/** JSON bodies are checked with exact assertions, so tests read them untyped. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface ApiResponse<T = Json> {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  body: T;
}

export interface RequestOptions {
  token?: string | undefined;
  apiKey?: string | undefined;
  /** Serialized as JSON unless it is already a string. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface TestPlatform {
  kind: StorageKind;
  platform: Platform;
  /** SQLite: the data folder; PostgreSQL: the schema. For tests that reach into storage from outside. */
  dataDir?: string | undefined;
  schema?: string | undefined;
  baseUrl: string;
  api<T = Json>(method: string, urlPath: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  /** Logs in and returns the access token (throws on any answer but 200). */
  login(username: string, password: string): Promise<string>;
  adminToken(): Promise<string>;
  /** Registers a user and returns its token and id. */
  newUser(username: string, password?: string): Promise<{ token: string; id: string }>;
  /** Creates a device as `token`; returns the 201 body (with api_key). */
  newDevice(token: string, body: Record<string, unknown>): Promise<Json>;
  stop(): Promise<void>;
}

export async function request<T = Json>(baseUrl: string, method: string, urlPath: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.apiKey !== undefined) headers['x-api-key'] = options.apiKey;
  let payload: string | undefined;
  if (options.body !== undefined) {
    payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(baseUrl + urlPath, { method, headers, body: payload });
  const text = await res.text();
  let body: Json;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (res.status >= 500 && res.status !== 503) {
    throw new Error(`${method} ${urlPath} answered ${res.status}: ${text.slice(0, 500)}`);
  }
  return { status: res.status, headers: res.headers, text, body: body as T };
}

/** Starts a platform; `env` overrides the test defaults (any config setting). */
export async function startPlatform(kind: StorageKind, env: Record<string, string> = {}): Promise<TestPlatform> {
  let schema: string | undefined;
  const base: Record<string, string> = { HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', LOG_LEVEL: 'silent', ADMIN_PASSWORD };
  // Every platform gets its own DATA_DIR, PostgreSQL ones too: local state (MQTT sessions) lives there.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-http-'));
  base.DATA_DIR = dataDir;
  if (kind === 'postgres') {
    schema = uniqueSchema('http');
    base.DATABASE_URL = TEST_DATABASE_URL;
    base.DATABASE_SCHEMA = schema;
  }
  const platform = await createPlatform(loadConfig({ ...base, ...env }));
  const { port } = await platform.listen();
  const baseUrl = `http://127.0.0.1:${port}`;
  let admin: Promise<string> | undefined;
  const api = <T = Json>(method: string, urlPath: string, options?: RequestOptions) => request<T>(baseUrl, method, urlPath, options);
  const login = async (username: string, password: string) => {
    const res = await api('POST', '/api/v1/auth/login', { body: { username, password } });
    if (res.status !== 200) throw new Error(`login ${username} answered ${res.status}: ${res.text}`);
    return res.body.access_token as string;
  };
  return {
    kind,
    platform,
    dataDir,
    schema,
    baseUrl,
    api,
    login,
    adminToken: () => (admin ??= login('admin', env.ADMIN_PASSWORD ?? ADMIN_PASSWORD)),
    async newUser(username, password = 'user-password-1') {
      const res = await api('POST', '/api/v1/auth/register', { body: { username, password } });
      if (res.status !== 201) throw new Error(`register ${username} answered ${res.status}: ${res.text}`);
      return { token: await login(username, password), id: res.body.id as string };
    },
    async newDevice(token, body) {
      const res = await api('POST', '/api/v1/devices', { token, body });
      if (res.status !== 201) throw new Error(`create device answered ${res.status}: ${res.text}`);
      return res.body;
    },
    async stop() {
      await platform.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      if (schema) await dropSchema(schema);
    },
  };
}

const postgresSkip = await postgresSkipReason();

/** A suite per storage; `fn` gets a getter for the platform started before the suite's tests. */
export function forEachStorage(name: string, fn: (get: () => TestPlatform, kind: StorageKind) => void, env: Record<string, string> = {}): void {
  for (const kind of STORAGES) {
    const skip = kind === 'postgres' ? (postgresSkip ?? false) : false;
    describe(`${name} [${kind}]`, { skip }, () => {
      let tp: TestPlatform | undefined;
      before(async () => {
        tp = await startPlatform(kind, env);
      });
      after(async () => {
        await tp?.stop();
      });
      fn(() => {
        if (!tp) throw new Error('platform not started');
        return tp;
      }, kind);
    });
  }
}

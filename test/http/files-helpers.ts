// What the device file and log tests share: a real platform on port 0 (temp DATA_DIR, or a
// fresh PostgreSQL schema) with its blobs on the local driver or a real s3rver, plain fetch, and
// hand-built multipart bodies so hostile file names reach the server byte for byte.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Platform, createPlatform } from '../../src/cli/platform.ts';
import { loadConfig } from '../../src/config.ts';
import { startS3, type TestS3 } from '../helpers/s3-server.ts';
import { TEST_DATABASE_URL, dropSchema, uniqueSchema } from '../helpers/services.ts';

export type DbKind = 'sqlite' | 'postgres';
export type BlobKind = 'local' | 's3';
export const ADMIN_PASSWORD = 'admin-files-password-1';

/** A 1×1 PNG. */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

export interface Reply {
  status: number;
  headers: Headers;
  bytes: Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface Harness {
  platform: Platform;
  baseUrl: string;
  dataDir: string;
  s3?: TestS3 | undefined;
  call(method: string, urlPath: string, options?: { token?: string; apiKey?: string; json?: unknown; body?: Buffer; headers?: Record<string, string> }): Promise<Reply>;
  upload(urlPath: string, token: string, fileName: string, bytes: Buffer, partType?: string): Promise<Reply>;
  login(username: string, password: string): Promise<string>;
  newUser(username: string): Promise<{ token: string; id: string }>;
  newDevice(token: string, id: string): Promise<{ id: string; api_key: string }>;
  /** Keys in the blob store under `prefix`. */
  blobKeys(prefix: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** A multipart/form-data body with one file part; the file name goes in unescaped except for quotes. */
export function multipartBody(fieldName: string, fileName: string, bytes: Buffer, partType = 'application/octet-stream') {
  const boundary = `----fluxgate${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${fieldName}"; filename="${fileName.replace(/"/g, '%22')}"\r\nContent-Type: ${partType}\r\n\r\n`,
    'utf8',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, bytes, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}

export async function startHarness(db: DbKind, blob: BlobKind, env: Record<string, string> = {}): Promise<Harness> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-files-'));
  const schema = db === 'postgres' ? uniqueSchema('files') : undefined;
  const s3 = blob === 's3' ? await startS3() : undefined;
  const settings: Record<string, string> = {
    HOST: '127.0.0.1',
    PORT: '0',
    MQTT_PORT: '0',
    LOG_LEVEL: 'silent',
    ADMIN_PASSWORD,
    DATA_DIR: dataDir,
    ...(schema ? { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema } : {}),
    ...(s3?.env ?? {}),
    ...env,
  };
  const platform = await createPlatform(loadConfig(settings));
  const { port } = await platform.listen();
  const baseUrl = `http://127.0.0.1:${port}`;

  const call: Harness['call'] = async (method, urlPath, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.apiKey) headers['x-api-key'] = options.apiKey;
    let body: Buffer | string | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(baseUrl + urlPath, { method, headers, body });
    const bytes = Buffer.from(await res.arrayBuffer());
    let parsed: unknown;
    try {
      parsed = bytes.length ? JSON.parse(bytes.toString('utf8')) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, bytes, body: parsed };
  };
  const login = async (username: string, password: string) => {
    const res = await call('POST', '/api/v1/auth/login', { json: { username, password } });
    if (res.status !== 200) throw new Error(`login answered ${res.status}`);
    return res.body.access_token as string;
  };
  return {
    platform,
    baseUrl,
    dataDir,
    s3,
    call,
    login,
    upload: (urlPath, token, fileName, bytes, partType) => {
      const mp = multipartBody('file', fileName, bytes, partType);
      return call('POST', urlPath, { token, body: mp.body, headers: { 'content-type': mp.contentType } });
    },
    async newUser(username) {
      const res = await call('POST', '/api/v1/auth/register', { json: { username, password: 'user-password-1' } });
      if (res.status !== 201) throw new Error(`register answered ${res.status}: ${res.bytes.toString()}`);
      return { token: await login(username, 'user-password-1'), id: res.body.id as string };
    },
    async newDevice(token, id) {
      const res = await call('POST', '/api/v1/devices', { token, json: { id, name: `Device ${id}` } });
      if (res.status !== 201) throw new Error(`create device answered ${res.status}: ${res.bytes.toString()}`);
      return res.body;
    },
    blobKeys: (prefix) => platform.blobs.list(prefix),
    async stop() {
      await platform.stop();
      await s3?.stop();
      rmSync(dataDir, { recursive: true, force: true });
      if (schema) await dropSchema(schema);
    },
  };
}

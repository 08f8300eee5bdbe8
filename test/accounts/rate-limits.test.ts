// Rate limits over real HTTP: failed logins per IP, registrations per IP, ingest per device, API
// per user; a 429 names its limit and carries Retry-After. Then the same limits shared by two
// nodes through the real Redis.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { RateLimits } from '../../src/services/rate-limits.ts';
import { type Reply, type TestPlatform, startPlatform } from './harness.ts';
import { TEST_REDIS_URL, redisSkipReason } from './redis.ts';

function assertLimited(res: Reply, limit: string, points: number, windowSeconds: number): void {
  assert.strictEqual(res.status, 429, res.text);
  assert.strictEqual(res.body.error.code, 'RATE_LIMITED');
  const { retry_after_seconds: retry, ...rest } = res.body.error.details;
  assert.deepStrictEqual(rest, { limit, points, window_seconds: windowSeconds });
  assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= windowSeconds, `retry_after_seconds ${retry}`);
  assert.strictEqual(res.headers.get('retry-after'), String(retry));
  assert.match(res.body.error.message, new RegExp(`'${limit}'`));
}

describe('rate limits (in memory)', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startPlatform({ env: { RATE_LIMIT_LOGIN: '3/60', RATE_LIMIT_REGISTER: '4/60', RATE_LIMIT_INGEST: '2/60', RATE_LIMIT_API: '5/60' } });
  });
  after(() => p.stop());

  it('successful logins do not count against the brute-force limit', async () => {
    const u = await p.user('steady-user');
    for (let i = 0; i < 5; i++) await p.login(u.username, u.password);
  });

  it('failed logins per IP are limited, then even the right password waits', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await p.request('POST', '/api/v1/auth/login', { body: { username: 'steady-user', password: `guess-${i}` } });
      assert.deepStrictEqual([res.status, res.body.error.code], [401, 'INVALID_CREDENTIALS']);
    }
    assertLimited(await p.request('POST', '/api/v1/auth/login', { body: { username: 'steady-user', password: 'guess-x' } }), 'login', 3, 60);
    assertLimited(await p.request('POST', '/api/v1/auth/login', { body: { username: 'steady-user', password: 'pw-steady-user-secret' } }), 'login', 3, 60);
  });

  it('registrations per IP are limited', async () => {
    // One registration was used by the first test.
    for (let i = 0; i < 3; i++) {
      assert.strictEqual((await p.request('POST', '/api/v1/auth/register', { body: { username: `reg-${i}`, password: 'long-enough-pw' } })).status, 201);
    }
    assertLimited(await p.request('POST', '/api/v1/auth/register', { body: { username: 'reg-x', password: 'long-enough-pw' } }), 'register', 4, 60);
  });

  it('ingest is limited per device, the API per user', async () => {
    // Logins are blocked for 127.0.0.1 now: log in from another address through inject.
    const admin = await p.platform.http.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'admin-password-for-tests' }, remoteAddress: '10.9.9.9' } as never);
    const token = JSON.parse(admin.body).access_token as string;
    const a = await p.device({ token, refresh: '', userId: '' });
    const b = await p.device({ token, refresh: '', userId: '' });
    for (let i = 0; i < 2; i++) {
      assert.strictEqual((await p.request('POST', '/api/v1/telemetry', { headers: { 'x-api-key': a.apiKey }, body: { x: i } })).status, 201);
    }
    assertLimited(await p.request('POST', '/api/v1/telemetry', { headers: { 'x-api-key': a.apiKey }, body: { x: 9 } }), 'ingest', 2, 60);
    assert.strictEqual((await p.request('POST', '/api/v1/telemetry', { headers: { 'x-api-key': b.apiKey }, body: { x: 1 } })).status, 201);

    // The admin spent 2 API requests creating devices; 3 more are allowed, the 6th is refused.
    for (let i = 0; i < 3; i++) assert.strictEqual((await p.request('GET', '/api/v1/devices', { token })).status, 200);
    assertLimited(await p.request('GET', '/api/v1/devices', { token }), 'api', 5, 60);
    const steady = await p.platform.http.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'steady-user', password: 'pw-steady-user-secret' }, remoteAddress: '10.9.9.8' } as never);
    assert.strictEqual((await p.request('GET', '/api/v1/devices', { token: JSON.parse(steady.body).access_token })).status, 200, 'another user is not limited');
  });
});

describe('rate limits shared through Redis', async () => {
  const skip = await redisSkipReason();
  if (skip) {
    it('skipped', { skip }, () => {});
    return;
  }
  const prefix = `fluxgate-test-${randomUUID()}`;
  const clients: Redis[] = [];
  const platforms: TestPlatform[] = [];
  after(async () => {
    for (const platform of platforms) await platform.stop();
    const cleaner = new Redis(TEST_REDIS_URL);
    const keys = await cleaner.keys(`${prefix}*`);
    if (keys.length > 0) await cleaner.del(...keys);
    cleaner.disconnect();
    for (const c of clients) c.disconnect();
  });

  it('two RateLimits on one Redis count together', async () => {
    const spec = { points: 3, windowSeconds: 60 };
    const make = () => {
      const client = new Redis(TEST_REDIS_URL, { enableOfflineQueue: true });
      clients.push(client);
      return new RateLimits({ login: spec, register: spec, ingest: spec, api: spec }, { redis: client, keyPrefix: `${prefix}-unit` });
    };
    const a = make();
    const b = make();
    assert.strictEqual(a.store, 'redis');
    await a.consume('api', 'user-1');
    await b.consume('api', 'user-1');
    await a.consume('api', 'user-1');
    await assert.rejects(b.consume('api', 'user-1'), (err: { code?: string; details?: { limit?: string } }) => err.code === 'RATE_LIMITED' && err.details?.limit === 'api');
    await b.consume('api', 'user-2');
    await b.consume('ingest', 'user-1');
  });

  it('two platforms with the same REDIS_URL share the brute-force limit', async () => {
    const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, RATE_LIMIT_LOGIN: '2/60' };
    platforms.push(await startPlatform({ env }), await startPlatform({ env }));
    const [one, two] = platforms as [TestPlatform, TestPlatform];
    for (const p of platforms) {
      const res = await p.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'admin-password-for-tests' } });
      assert.strictEqual(res.status, 200);
    }
    assert.strictEqual((await one.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'wrong-1' } })).status, 401);
    assert.strictEqual((await two.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'wrong-2' } })).status, 401);
    assertLimited(await one.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'wrong-3' } }), 'login', 2, 60);
    assertLimited(await two.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'admin-password-for-tests' } }), 'login', 2, 60);
  });
});

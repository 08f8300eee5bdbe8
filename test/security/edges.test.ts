// The platform's edges: login brute force (default limits), CORS limited to CORS_ORIGINS, and
// security headers on every answer while the Swagger UI at /docs still loads.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestPlatform, startPlatform } from '../accounts/harness.ts';

describe('login brute force with the default limits', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startPlatform();
  });
  after(() => p.stop());

  it('answers 429 RATE_LIMITED with Retry-After after 10 failed logins from one IP', async () => {
    const u = await p.user();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push((await p.request('POST', '/api/v1/auth/login', { body: { username: u.username, password: `guess-${i}` } })).status);
    }
    assert.deepStrictEqual(statuses, [...Array(10).fill(401), 429, 429]);
    const res = await p.request('POST', '/api/v1/auth/login', { body: { username: u.username, password: u.password } });
    assert.deepStrictEqual([res.status, res.body.error.code, res.body.error.details.limit], [429, 'RATE_LIMITED', 'login']);
    assert.strictEqual(res.headers.get('retry-after'), String(res.body.error.details.retry_after_seconds));
    // The existing session of the user is not affected.
    assert.strictEqual((await p.request('GET', '/api/v1/auth/me', { token: u.token })).status, 200);
  });
});

describe('CORS and security headers', () => {
  let open: TestPlatform;
  let closed: TestPlatform;
  before(async () => {
    open = await startPlatform({ env: { CORS_ORIGINS: 'https://app.example.test, https://ops.example.test' } });
    closed = await startPlatform();
  });
  after(async () => {
    await open.stop();
    await closed.stop();
  });

  const preflight = (p: TestPlatform, origin: string) =>
    p.request('OPTIONS', '/api/v1/devices', {
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });

  it('allows the configured origins only', async () => {
    for (const origin of ['https://app.example.test', 'https://ops.example.test']) {
      const res = await preflight(open, origin);
      assert.strictEqual(res.status, 204);
      assert.strictEqual(res.headers.get('access-control-allow-origin'), origin);
      assert.strictEqual(res.headers.get('access-control-allow-credentials'), 'true');
      const get = await open.request('GET', '/health', { headers: { origin } });
      assert.strictEqual(get.headers.get('access-control-allow-origin'), origin);
    }
    for (const origin of ['https://evil.example.test', 'https://app.example.test.evil.test', 'null']) {
      const res = await preflight(open, origin);
      assert.strictEqual(res.headers.get('access-control-allow-origin'), null, origin);
      const get = await open.request('GET', '/health', { headers: { origin } });
      assert.strictEqual(get.headers.get('access-control-allow-origin'), null, origin);
    }
  });

  it('allows no cross-origin caller when CORS_ORIGINS is empty', async () => {
    const res = await preflight(closed, 'https://app.example.test');
    assert.strictEqual(res.headers.get('access-control-allow-origin'), null);
  });

  it('sends security headers on API answers, errors included', async () => {
    for (const url of ['/health', '/api/v1/devices', '/no-such-page']) {
      const res = await closed.request('GET', url);
      assert.strictEqual(res.headers.get('x-content-type-options'), 'nosniff', url);
      assert.strictEqual(res.headers.get('x-frame-options'), 'SAMEORIGIN', url);
      assert.strictEqual(res.headers.get('referrer-policy'), 'no-referrer', url);
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/, url);
      assert.match(res.headers.get('strict-transport-security') ?? '', /max-age=\d+/, url);
    }
  });

  it('keeps /docs working: the page, its scripts and the OpenAPI document load under the policy', async () => {
    const page = await closed.request('GET', '/docs/');
    assert.strictEqual(page.status, 200);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.doesNotMatch(csp, /upgrade-insecure-requests/, 'a plain-HTTP install must keep loading its assets');
    // Every script the page loads is same-origin (script-src 'self') and not inline.
    const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length > 0);
    for (const [, attrs, inline] of scripts) {
      assert.strictEqual(inline!.trim(), '', 'no inline script');
      const src = /src="([^"]+)"/.exec(attrs!)?.[1];
      assert.ok(src && src.startsWith('./'), `same-origin script ${src}`);
      const js = await closed.request('GET', `/docs/${src.slice(2)}`);
      assert.strictEqual(js.status, 200, src);
    }
    const spec = await closed.request('GET', '/docs/json');
    assert.strictEqual(spec.status, 200);
    assert.ok(spec.body.paths['/api/v1/auth/refresh'] && spec.body.paths['/api/v1/devices/{id}/access'] && spec.body.paths['/api/v1/admin/audit']);
  });
});

// The dashboard at /: files, SPA fallback for its pages, and API/docs/health/metrics paths untouched.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { serveDashboard } from '../../src/transport/http/dashboard-static.ts';
import { installErrorHandling } from '../../src/transport/http/error-handler.ts';

const INDEX = '<!doctype html><title>Fluxgate</title>';

async function build(dir: string | undefined): Promise<FastifyInstance> {
  const app = Fastify();
  installErrorHandling(app, await serveDashboard(app, dir));
  app.get('/health', async () => ({ status: 'healthy' }));
  app.get('/api/v1/things', async () => ({ things: [] }));
  return app;
}

describe('dashboard static files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fluxgate-web-'));
  let app: FastifyInstance;
  before(async () => {
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), INDEX);
    writeFileSync(path.join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
    app = await build(dir);
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('/ and every page of the app answer index.html, not cached', async () => {
    for (const url of ['/', '/devices', '/devices/thermo-1', '/charts/abc?x=1']) {
      const res = await app.inject({ url, headers: { accept: 'text/html,application/xhtml+xml' } });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.body, INDEX, url);
      assert.equal(res.headers['cache-control'], 'no-cache', url);
    }
  });

  test('hashed assets are served with a long cache', async () => {
    const res = await app.inject({ url: '/assets/app-1234.js' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, 'console.log(1)');
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
  });

  test('API, docs, health and metrics paths are never swallowed by the fallback', async () => {
    for (const url of ['/api/v1/nope', '/api', '/docs/nope', '/health/x', '/metrics/x', '/openapi.json/x']) {
      const res = await app.inject({ url, headers: { accept: 'text/html' } });
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().error.code, 'ROUTE_NOT_FOUND', url);
    }
    assert.deepEqual((await app.inject({ url: '/api/v1/things', headers: { accept: 'text/html' } })).json(), { things: [] });
    assert.deepEqual((await app.inject({ url: '/health' })).json(), { status: 'healthy' });
  });

  test('a missing file that is not a page is a JSON 404; non-GET is too', async () => {
    const asset = await app.inject({ url: '/assets/missing.js', headers: { accept: '*/*' } });
    assert.equal(asset.statusCode, 404);
    assert.equal(asset.json().error.code, 'ROUTE_NOT_FOUND');
    const post = await app.inject({ method: 'POST', url: '/devices', headers: { accept: 'text/html' } });
    assert.equal(post.statusCode, 404);
  });

  test('without a build, / says how to build it', async () => {
    const bare = await build(path.join(dir, 'nothing-here'));
    const res = await bare.inject({ url: '/' });
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /npm run build:web/);
    await bare.close();
  });
});

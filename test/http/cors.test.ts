// CORS_ORIGINS over real HTTP: listed origins may call the API from a browser, others may not,
// and without the setting no cross-origin headers are sent at all.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestPlatform, startPlatform } from '../helpers/platform.ts';

const preflight = (origin: string) => ({
  headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' },
});

describe('CORS', () => {
  let open: TestPlatform;
  let closed: TestPlatform;
  before(async () => {
    open = await startPlatform('sqlite', { CORS_ORIGINS: 'https://dash.example, http://localhost:5173' });
    closed = await startPlatform('sqlite');
  });
  after(async () => {
    await open?.stop();
    await closed?.stop();
  });

  it('answers a preflight from a listed origin and allows the API headers', async () => {
    const res = await open.api('OPTIONS', '/api/v1/telemetry', preflight('https://dash.example'));
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://dash.example');
    assert.equal(res.headers.get('access-control-allow-headers'), 'authorization, content-type, x-api-key');
    assert.match(res.headers.get('access-control-allow-methods') ?? '', /POST/);
    const get = await open.api('GET', '/health', { headers: { origin: 'http://localhost:5173' } });
    assert.equal(get.headers.get('access-control-allow-origin'), 'http://localhost:5173');
  });

  it('gives an unlisted origin no allow-origin header', async () => {
    const res = await open.api('OPTIONS', '/api/v1/telemetry', preflight('https://evil.example'));
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    const get = await open.api('GET', '/health', { headers: { origin: 'https://evil.example' } });
    assert.equal(get.headers.get('access-control-allow-origin'), null);
  });

  it('sends no CORS headers when CORS_ORIGINS is empty', async () => {
    const get = await closed.api('GET', '/health', { headers: { origin: 'https://dash.example' } });
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('access-control-allow-origin'), null);
    const res = await closed.api('OPTIONS', '/api/v1/telemetry', preflight('https://dash.example'));
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });
});

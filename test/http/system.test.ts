// System endpoints over real HTTP: health, Prometheus metrics, OpenAPI and Swagger UI, unknown routes.
import assert from 'node:assert/strict';
import net from 'node:net';
import { it } from 'node:test';
import { forEachStorage } from '../helpers/platform.ts';

/** Sends raw bytes and returns everything the server answers until it closes the connection. */
function rawExchange(baseUrl: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(new URL(baseUrl).port), '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
  });
}

/** The value of an unlabelled sample (or of one with exactly these labels) in Prometheus text. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

forEachStorage('system', (tp, kind) => {
  it('answers /health briefly and in detail', async () => {
    const res = await tp().api('GET', '/health');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'healthy', version: '0.1.0' });
    const detailed = await tp().api('GET', '/health?detailed=true');
    assert.equal(detailed.status, 200);
    const { uptime_seconds, checks, ...rest } = detailed.body;
    assert.deepEqual(rest, { status: 'healthy', version: '0.1.0' });
    assert.equal(typeof uptime_seconds, 'number');
    // Every component registers its check; the core ones are always there and all are healthy here.
    for (const name of ['ingest', 'storage']) assert.ok(name in checks, `${name} check present`);
    assert.deepEqual(Object.entries(checks).filter(([, c]) => (c as { ok: boolean }).ok !== true), []);
    assert.deepEqual(checks.ingest, { ok: true, pending_points: 0 });
    assert.equal(checks.storage.ok, true);
    assert.equal(checks.storage.kind, kind);
    assert.equal(typeof checks.storage.latency_ms, 'number');
    const bad = await tp().api('GET', '/health?detailed=maybe');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
  });

  it('counts ingested points and commit latency in /metrics', async () => {
    const token = await tp().adminToken();
    const key = (await tp().newDevice(token, { id: 'metered', name: 'Metered' })).api_key;
    const before = await tp().api('GET', '/metrics', { token });
    assert.equal(before.status, 200);
    assert.match(before.headers.get('content-type') ?? '', /^text\/plain/);
    const ingestedBefore = sample(before.text, 'fluxgate_points_ingested_total') ?? NaN;
    const commitsBefore = sample(before.text, 'fluxgate_commit_seconds_count') ?? NaN;
    const t = Date.parse('2026-02-01T00:00:00Z');
    assert.equal((await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: { a: 1, b: 2, c: 3, timestamp: t } })).status, 201);
    assert.equal((await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: [{ a: 4, timestamp: t + 1 }, { a: 5, timestamp: t + 2 }] })).status, 201);
    // A duplicate (same device, field and time) is not counted as ingested.
    assert.equal((await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: { a: 9, timestamp: t } })).status, 201);
    assert.equal((await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: { a: null } })).status, 422);
    const after = (await tp().api('GET', '/metrics', { token })).text;
    assert.equal(ingestedBefore, 0);
    assert.equal(sample(after, 'fluxgate_points_ingested_total'), 5);
    assert.equal(sample(after, 'fluxgate_points_duplicate_total'), 1);
    assert.equal(sample(after, 'fluxgate_ingest_rejected_total', '{reason="invalid"}'), 1);
    assert.equal(sample(after, 'fluxgate_commit_seconds_count'), commitsBefore + 3);
    assert.equal(sample(after, 'fluxgate_commit_seconds_bucket', '{le="+Inf"}'), commitsBefore + 3);
    assert.match(after, /^# TYPE fluxgate_commit_seconds histogram$/m);
    assert.match(after, /^fluxgate_http_requests_total\{method="POST",route="\/api\/v1\/telemetry",status="201"\} 3$/m);
  });

  it('serves OpenAPI 3 listing the main paths, and Swagger UI at /docs', async () => {
    const res = await tp().api('GET', '/openapi.json');
    assert.equal(res.status, 200);
    assert.match(res.body.openapi, /^3\./);
    assert.equal(res.body.info.title, 'Fluxgate API');
    const paths = Object.keys(res.body.paths);
    for (const p of [
      '/api/v1/auth/register',
      '/api/v1/auth/login',
      '/api/v1/auth/me',
      '/api/v1/devices',
      '/api/v1/devices/register',
      '/api/v1/devices/{id}',
      '/api/v1/devices/{id}/api-key',
      '/api/v1/devices/heartbeat',
      '/api/v1/device-types',
      '/api/v1/telemetry',
      '/api/v1/telemetry/status',
      '/api/v1/telemetry/{id}',
      '/api/v1/telemetry/{id}/latest',
      '/api/v1/telemetry/{id}/aggregated',
      '/api/v1/telemetry/{id}/export',
      '/api/v1/energy/hourly',
      '/api/v1/energy/daily',
      '/health',
      '/metrics',
    ]) {
      assert.ok(paths.includes(p), `${p} missing from /openapi.json`);
    }
    const agg = res.body.paths['/api/v1/telemetry/{id}/aggregated'].get;
    assert.deepEqual(
      agg.parameters.filter((x: { in: string }) => x.in === 'query').map((x: { name: string }) => x.name).sort(),
      ['aggregation', 'end_time', 'field', 'start_time', 'tz', 'window'],
    );
    const docs = await fetch(`${tp().baseUrl}/docs`);
    assert.equal(docs.status, 200);
    assert.match(docs.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await docs.text(), /swagger-ui/i);
  });

  it('answers requests the HTTP parser refuses in the error format and closes the connection', async () => {
    const malformed = await rawExchange(tp().baseUrl, 'GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n');
    const [head, body] = malformed.split('\r\n\r\n');
    assert.match(head!, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(head!, /\r\nContent-Type: application\/json\r\n/);
    assert.deepEqual(JSON.parse(body!), { error: { code: 'VALIDATION_FAILED', message: 'The HTTP request is malformed' } });
    const huge = await rawExchange(tp().baseUrl, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.match(huge, /^HTTP\/1\.1 431 /);
    assert.equal(JSON.parse(huge.split('\r\n\r\n')[1]!).error.code, 'HEADERS_TOO_LARGE');
  });

  it('answers unknown routes and methods with a JSON 404 ROUTE_NOT_FOUND', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/nope'],
      ['GET', '/api/v2/devices'],
      ['DELETE', '/api/v1/devices'],
      ['POST', '/health'],
    ] as const) {
      const res = await tp().api(method, path);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.deepEqual(res.body, { error: { code: 'ROUTE_NOT_FOUND', message: `No endpoint ${method} ${path}` } });
    }
  });
});

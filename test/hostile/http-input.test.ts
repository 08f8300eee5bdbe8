// Hostile HTTP input the security suite (test/security) does not already cover: numbers and
// strings JSON.parse accepts but storage would silently change, oversized arrays, impossible
// timestamps, replays, injection strings in every remaining query parameter, unbounded limits and
// ranges. Each case checks the exact status and code, that nothing was stored, and that the server
// still answers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { onBothBackends } from '../accounts/backends.ts';
import { type TestPlatform, startPlatform } from '../accounts/harness.ts';
import { metricValue } from '../helpers/metric.ts';

const T = Date.parse('2026-01-15T10:00:00Z');
/** Below the 50 points the limit test stores, above what any other test here reads. */
const QUERY_MAX_LIMIT = 30;

const INJECTIONS = ["' OR '1'='1", "x'; DROP TABLE points; --", '1) UNION SELECT password_hash FROM users --', '"; DELETE FROM devices; --', '%', '_', '\\'];

onBothBackends('hostile HTTP input', (p) => {
  let owner: Awaited<ReturnType<TestPlatform['user']>>;
  let dev: { id: string; apiKey: string };
  const ingest = (raw: string) => p().request('POST', '/api/v1/telemetry', { headers: { 'x-api-key': dev.apiKey }, raw });
  const history = async () =>
    (await p().request('GET', `/api/v1/telemetry/${dev.id}?start_time=0&end_time=${Date.now() + 86_400_000}&limit=10000`, { token: owner.token })).body.points as Array<{ field: string; value: unknown; ts: number }>;

  before(async () => {
    owner = await p().user();
    dev = await p().device(owner, { name: 'target' });
  });

  it('refuses numbers that overflow to Infinity (1e309) in every JSON body with 400 naming the member; NaN and Infinity literals are INVALID_JSON', async () => {
    const cases: Array<[string, string, string, string]> = [
      ['POST', '/api/v1/telemetry', '{"data":{"temperature":1e309}}', 'body.data.temperature'],
      ['POST', '/api/v1/telemetry', '[{"a":1},{"a":-1e400}]', 'body[1].a'],
      ['POST', '/api/v1/devices', '{"name":"n","metadata":{"max":1e309}}', 'body.metadata.max'],
      ['PUT', `/api/v1/devices/${dev.id}/state`, '{"desired":{"target_temperature":1e309}}', 'body.desired.target_temperature'],
      ['POST', `/api/v1/devices/${dev.id}/commands`, '{"command":"set_power","parameters":{"watts":[1,2,1e999]}}', 'body.parameters.watts[2]'],
    ];
    for (const [method, url, raw, field] of cases) {
      const headers = url === '/api/v1/telemetry' ? { 'x-api-key': dev.apiKey } : undefined;
      const res = await p().request(method, url, { token: owner.token, raw, ...(headers ? { headers } : {}) });
      assert.deepStrictEqual([res.status, res.body.error.code, res.body.error.details], [400, 'VALIDATION_FAILED', { field }], `${method} ${url} ${raw}`);
      assert.match(res.body.error.message, /must be a finite number/);
    }
    for (const raw of ['{"a":NaN}', '{"a":Infinity}', '{"a":-Infinity}', '{"a":0x10}', '{"a":1e}']) {
      const res = await ingest(raw);
      assert.deepStrictEqual([res.status, res.body.error.code], [400, 'INVALID_JSON'], raw);
    }
    assert.deepStrictEqual(await history(), []);
    const devices = (await p().request('GET', '/api/v1/devices', { token: owner.token })).body.devices;
    assert.deepStrictEqual(devices.map((d: { id: string }) => d.id), [dev.id], 'no device was created');
    assert.deepStrictEqual((await p().request('GET', `/api/v1/devices/${dev.id}/commands`, { token: owner.token })).body, [], 'no command was created');
    const state = await p().request('GET', `/api/v1/devices/${dev.id}/state`, { token: owner.token });
    assert.deepStrictEqual(state.body.desired, {}, 'no desired state was set');
  });

  it('refuses lone UTF-16 surrogates in names, values and keys (400/422 naming the member); real emoji pairs are kept exactly', async () => {
    const cases: Array<[string, string, string, number, string]> = [
      ['POST', '/api/v1/devices', '{"name":"x\\ud800y"}', 400, 'body.name'],
      ['POST', '/api/v1/devices', '{"name":"ok","location":"\\udfff"}', 400, 'body.location'],
      ['POST', '/api/v1/devices', '{"name":"ok","metadata":{"k\\ud800":1}}', 400, 'body.metadata.k\ufffd'],
      ['POST', '/api/v1/telemetry', '{"data":{"note":"a\\udc00b"}}', 400, 'body.data.note'],
      ['POST', '/api/v1/auth/register', '{"username":"surrogate","password":"pw-\\ud800-long-enough"}', 400, 'body.password'],
    ];
    for (const [method, url, raw, status, field] of cases) {
      const res = await p().request(method, url, { token: owner.token, raw, headers: url === '/api/v1/telemetry' ? { 'x-api-key': dev.apiKey } : {} });
      assert.deepStrictEqual([res.status, res.body.error.code, res.body.error.details], [status, 'VALIDATION_FAILED', { field }], raw);
      assert.match(res.body.error.message, /well-formed Unicode/);
    }
    assert.deepStrictEqual(await history(), []);
    const emoji = await p().request('POST', '/api/v1/devices', { token: owner.token, raw: '{"name":"\\ud83c\\udf21\\ufe0f sensor","description":"温度 🌡️ חיישן"}' });
    assert.deepStrictEqual([emoji.status, emoji.body.name, emoji.body.description], [201, '🌡️ sensor', '温度 🌡️ חיישן']);
    const read = await p().request('GET', `/api/v1/devices/${emoji.body.id}`, { token: owner.token });
    assert.strictEqual(read.body.name, '🌡️ sensor');
    const stored = await ingest(`{"data":{"note":"🌡️ ok"},"timestamp":${T}}`);
    assert.strictEqual(stored.status, 201);
    assert.deepStrictEqual((await history()).map((x) => x.value), ['🌡️ ok']);
    await p().request('DELETE', `/api/v1/telemetry/${dev.id}?start_time=0&end_time=${T + 1}`, { token: owner.token });
    await p().request('DELETE', `/api/v1/devices/${emoji.body.id}?confirm=true`, { token: owner.token });
  });

  it('refuses 10 KB names and strings naming the field', async () => {
    const big = 'n'.repeat(10_240);
    const device = await p().request('POST', '/api/v1/devices', { token: owner.token, body: { name: big } });
    assert.deepStrictEqual([device.status, device.body.error.code, device.body.error.details.issues[0].field], [400, 'VALIDATION_FAILED', 'body.name']);
    const user = await p().request('POST', '/api/v1/auth/register', { body: { username: big, password: 'long-enough-pw' } });
    assert.deepStrictEqual([user.status, user.body.error.code], [400, 'VALIDATION_FAILED']);
    const field = await ingest(JSON.stringify({ data: { [big]: 1 } }));
    assert.deepStrictEqual([field.status, field.body.error.code], [422, 'INVALID_TELEMETRY']);
    assert.match(field.body.error.message, /is not a valid field name/);
    const value = await ingest(JSON.stringify({ data: { note: big } }));
    assert.deepStrictEqual([value.status, value.body.error.code, value.body.error.details], [422, 'INVALID_TELEMETRY', { field: 'data.note' }]);
    const command = await p().request('POST', `/api/v1/devices/${dev.id}/commands`, { token: owner.token, body: { command: big } });
    assert.deepStrictEqual([command.status, command.body.error.code], [400, 'VALIDATION_FAILED']);
    assert.deepStrictEqual(await history(), []);
  });

  it('refuses timestamps in the far future, before 1970 and in seconds with 422 naming timestamp, storing nothing of the batch', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [253_402_300_800_000, /too far in the future/],
      [8.64e15 + 1, /too far in the future/],
      // Only four-digit years are ISO 8601 here; an expanded year is refused as a format.
      ['+275760-09-13T00:00:00.001Z', /^\[1\]\.timestamp: must be ISO 8601 or epoch milliseconds$/],
      ['9999-12-31T23:59:59Z', /too far in the future/],
      [-1, /before 1970/],
      ['1969-12-31T23:59:59Z', /before 1970/],
      [0, /epoch seconds/],
      [Math.floor(T / 1000), /epoch seconds/],
    ];
    for (const [timestamp, message] of cases) {
      const res = await ingest(JSON.stringify([{ a: 1, timestamp: T }, { a: 2, timestamp }]));
      assert.deepStrictEqual([res.status, res.body.error.code, res.body.error.details], [422, 'INVALID_TELEMETRY', { field: '[1].timestamp' }], String(timestamp));
      assert.match(res.body.error.message, message, String(timestamp));
    }
    const huge = await ingest(`{"a":1,"timestamp":1e20}`);
    assert.deepStrictEqual([huge.status, huge.body.error.code], [422, 'INVALID_TELEMETRY']);
    assert.deepStrictEqual(await history(), [], 'the valid first point of each batch was not written either');
  });

  it('stores a duplicate or replayed submission once: the first value stays, the replay is counted', async () => {
    const body = JSON.stringify([{ a: 1, b: 'x', timestamp: T }, { a: 2, timestamp: T + 1000 }]);
    const before = await metricValue(p().platform, 'fluxgate_points_duplicate_total');
    const first = await ingest(body);
    const replay = await ingest(body);
    const changed = await ingest(JSON.stringify({ a: 99, timestamp: T }));
    assert.deepStrictEqual([first.status, replay.status, changed.status], [201, 201, 201]);
    const points = (await history()).map((x) => [x.ts, x.field, x.value]).sort();
    assert.deepStrictEqual(points, [[T, 'a', 1], [T, 'b', 'x'], [T + 1000, 'a', 2]]);
    assert.strictEqual(await metricValue(p().platform, 'fluxgate_points_duplicate_total'), before + 4);
    await p().request('DELETE', `/api/v1/telemetry/${dev.id}?start_time=0&end_time=${T + 2000}`, { token: owner.token });
  });

  it('treats injection strings in every remaining query parameter as data: 400 with a code or an empty answer, and every table stays whole', async () => {
    await ingest(JSON.stringify({ a: 1, timestamp: T }));
    const admin = await p().admin();
    for (const text of INJECTIONS) {
      const q = encodeURIComponent(text);
      const base = `/api/v1/telemetry/${dev.id}`;
      const range = `start_time=${T - 1000}&end_time=${T + 1000}`;
      // A date longer than YYYY-MM-DD is refused by the query schema, a shorter non-date by the date parser.
      const dateCode = text.length > 10 ? 'VALIDATION_FAILED' : 'INVALID_TIME';
      const expectations: Array<[url: string, status: number, code?: string]> = [
        [`${base}?${range}&order=${q}`, 400, 'VALIDATION_FAILED'],
        [`${base}?${range}&fields=${q}`, 200],
        [`${base}?${range}&cursor=${q}`, 400, 'INVALID_CURSOR'],
        [`${base}?${range}&limit=${q}`, 400, 'VALIDATION_FAILED'],
        [`${base}/aggregated?${range}&field=${q}`, 200],
        [`${base}/aggregated?${range}&field=a&aggregation=${q}`, 400, 'VALIDATION_FAILED'],
        [`${base}/aggregated?${range}&field=a&window=${q}`, 400, 'VALIDATION_FAILED'],
        [`${base}/aggregated?${range}&field=a&tz=${q}`, 400, 'INVALID_TIME'],
        [`${base}/export?${range}&format=${q}`, 400, 'VALIDATION_FAILED'],
        [`${base}/series?${range}&fields=${q}`, 200],
        [`/api/v1/devices/${dev.id}/logs?level=${q}`, 400, 'VALIDATION_FAILED'],
        [`/api/v1/devices/${dev.id}/logs?min_level=${q}&order=${q}`, 400, 'VALIDATION_FAILED'],
        [`/api/v1/devices/${dev.id}/commands?status=${q}`, 400, 'VALIDATION_FAILED'],
        [`/api/v1/devices?status=${q}`, 400, 'VALIDATION_FAILED'],
        [`/api/v1/devices?offset=${q}`, 400, 'VALIDATION_FAILED'],
        [`/api/v1/energy/hourly?date=${q}`, 400, dateCode],
        [`/api/v1/energy/daily?start=${q}&end=${q}`, 400, dateCode],
      ];
      for (const [url, status, code] of expectations) {
        const res = await p().request('GET', url, { token: owner.token });
        assert.deepStrictEqual([res.status, res.body.error?.code], [status, code], `${url} → ${res.text.slice(0, 200)}`);
        if (status === 200 && url.includes('fields=')) assert.doesNotMatch(res.text, /"value":1\b/, `${url} returned a point it should not`);
      }
      const audit = await p().request('GET', `/api/v1/admin/audit?actor_id=${q}&target_type=${q}`, { token: admin.token });
      assert.deepStrictEqual([audit.status, audit.body.error.code], [400, 'VALIDATION_FAILED']);
    }
    // Everything is still there.
    assert.deepStrictEqual((await history()).map((x) => x.value), [1]);
    const me = await p().request('GET', '/api/v1/auth/me', { token: owner.token });
    assert.strictEqual(me.status, 200);
    await p().request('DELETE', `/api/v1/telemetry/${dev.id}?start_time=0&end_time=${T + 1}`, { token: owner.token });
  });

  it('caps limit=1e9 on history, refuses it on lists naming the maximum, and pages a year-long raw range', async () => {
    const batch = Array.from({ length: 50 }, (_, i) => ({ a: i, timestamp: T - i * 7 * 86_400_000 }));
    assert.strictEqual((await ingest(JSON.stringify(batch))).status, 201);
    const year = `start_time=${T - 366 * 86_400_000}&end_time=${T + 1}`;
    const capped = await p().request('GET', `/api/v1/telemetry/${dev.id}?${year}&limit=1e9`, { token: owner.token });
    assert.strictEqual(capped.status, 200);
    // The suite runs with QUERY_MAX_LIMIT=30, below the 50 points stored, so the cap shows.
    assert.deepStrictEqual([capped.body.count, capped.body.points.length, typeof capped.body.next_cursor], [QUERY_MAX_LIMIT, QUERY_MAX_LIMIT, 'string']);
    // Page by 20 through the whole year: every point exactly once.
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { points: Array<{ value: number }>; next_cursor: string | null } } = await p().request(
        'GET',
        `/api/v1/telemetry/${dev.id}?${year}&limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token: owner.token },
      );
      assert.strictEqual(page.status, 200);
      assert.ok(page.body.points.length <= 20);
      seen.push(...page.body.points.map((x) => x.value));
      cursor = page.body.next_cursor;
    } while (cursor);
    assert.deepStrictEqual(seen.sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    for (const url of ['/api/v1/devices?limit=1e9', `/api/v1/devices/${dev.id}/logs?limit=1e9`, `/api/v1/devices/${dev.id}/commands?limit=1e9`, '/api/v1/devices?offset=1e9']) {
      const res = await p().request('GET', url, { token: owner.token });
      assert.deepStrictEqual([res.status, res.body.error.code], [400, 'VALIDATION_FAILED'], url);
      assert.match(res.body.error.message, /Too big: expected number to be <=\d+/, url);
    }
    const fine = await p().request('GET', `/api/v1/telemetry/${dev.id}/aggregated?start_time=${T - 10 * 366 * 86_400_000}&end_time=${T}&field=a&window=1m`, { token: owner.token });
    assert.deepStrictEqual([fine.status, fine.body.error.code, fine.body.error.details], [400, 'VALIDATION_FAILED', { field: 'window' }]);
    await p().request('DELETE', `/api/v1/telemetry/${dev.id}?start_time=0&end_time=${T + 1}`, { token: owner.token });
  });
}, { QUERY_MAX_LIMIT: String(QUERY_MAX_LIMIT) });

describe('hostile HTTP: sizes, brute force, slowloris', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startPlatform({ env: { BODY_LIMIT_BYTES: String(16 * 1024 * 1024), RATE_LIMIT_API_KEY: '5/60', RATE_LIMIT_INGEST: '0', REQUEST_TIMEOUT_MS: '1500' } });
  });
  after(() => p.stop());

  it('refuses a 1M-item array: 413 over BODY_LIMIT_BYTES, else 422 naming MAX_POINTS_PER_REQUEST; nothing stored', async () => {
    const u = await p.user();
    const d = await p.device(u);
    const points = `[${Array(1_000_000).fill('{"a":1}').join(',')}]`;
    const res = await p.request('POST', '/api/v1/telemetry', { headers: { 'x-api-key': d.apiKey }, raw: points });
    assert.deepStrictEqual([res.status, res.body.error.code, res.body.error.details], [422, 'INVALID_TELEMETRY', { field: '(body)' }]);
    assert.match(res.body.error.message, /more than 10000/);
    const numbers = await p.request('POST', '/api/v1/devices', { token: u.token, raw: `{"name":"arr","metadata":{"a":[${Array(1_000_000).fill(1).join(',')}]}}` });
    assert.deepStrictEqual([numbers.status, numbers.body.error.code, numbers.body.error.message], [400, 'VALIDATION_FAILED', 'body.metadata: must be at most 65536 bytes as JSON']);
    const command = await p.request('POST', `/api/v1/devices/${d.id}/commands`, { token: u.token, body: { command: 'big', parameters: { list: Array(100_000).fill(1) } } });
    assert.deepStrictEqual([command.status, command.body.error.code, command.body.error.message], [400, 'VALIDATION_FAILED', 'body.parameters: must be at most 65536 bytes as JSON']);
    const over = await p.request('POST', '/api/v1/telemetry', { headers: { 'x-api-key': d.apiKey }, raw: `[${Array(3_000_000).fill('{"a":1}').join(',')}]` });
    assert.deepStrictEqual([over.status, over.body.error.code], [413, 'PAYLOAD_TOO_LARGE']);
    const latest = await p.request('GET', `/api/v1/telemetry/${d.id}/latest`, { token: u.token });
    assert.strictEqual(latest.status, 200);
    assert.strictEqual(JSON.stringify(latest.body).includes('"a"'), false, 'nothing stored');
  });

  it('API-key brute force: unknown keys from one IP get 429 naming api_key, even a right key waits there; other IPs are not affected', async () => {
    const u = await p.user();
    const d = await p.device(u);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await p.request('POST', '/api/v1/telemetry', { headers: { 'x-api-key': `fgk_guess${i}` }, body: { a: i } })).status);
    assert.deepStrictEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
    const right = await p.request('POST', '/api/v1/telemetry', { headers: { 'x-api-key': d.apiKey }, body: { a: 1 } });
    assert.deepStrictEqual([right.status, right.body.error.code, right.body.error.details.limit, right.body.error.details.points], [429, 'RATE_LIMITED', 'api_key', 5]);
    assert.strictEqual(right.headers.get('retry-after'), String(right.body.error.details.retry_after_seconds));
    const elsewhere = await p.platform.http.inject({ method: 'POST', url: '/api/v1/telemetry', headers: { 'x-api-key': d.apiKey }, payload: { a: 2 }, remoteAddress: '10.1.2.3' } as never);
    assert.strictEqual(elsewhere.statusCode, 201);
    // Users with a bearer token from the blocked IP are not affected.
    assert.strictEqual((await p.request('GET', '/api/v1/auth/me', { token: u.token })).status, 200);
  });

  it('slowloris: headers trickled in past REQUEST_TIMEOUT_MS get 408 REQUEST_TIMEOUT and the socket is closed, while others are served', async () => {
    const net = await import('node:net');
    const port = Number(new URL(p.base).port);
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (c) => (received += c.toString()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    let sent = 0;
    const drip = setInterval(() => {
      if (!socket.destroyed) socket.write(`X-Slow-${sent++}: a\r\n`);
    }, 200);
    try {
      // Meanwhile the server answers everyone else.
      assert.strictEqual((await p.request('GET', '/health')).status, 200);
      await closed;
    } finally {
      clearInterval(drip);
    }
    assert.match(received, /^HTTP\/1\.1 408 /);
    assert.match(received, /"code":"REQUEST_TIMEOUT"/);
    assert.ok(sent >= 3, 'the client kept sending until it was cut off');
  });
});

// Telemetry ingest over real HTTP: both payload shapes, batches, timestamps and value types; every
// kind of bad request refused with its code and nothing of it stored; 201 only after commit.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { type Json, forEachStorage } from '../helpers/platform.ts';

const T0 = Date.parse('2026-01-10T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

forEachStorage(
  'telemetry ingest',
  (tp) => {
    let token: string;
    let key: string;
    const history = async (start: number, end: number, extra = '') =>
      (await tp().api('GET', `/api/v1/telemetry/ingest-1?start_time=${start}&end_time=${end}&order=asc${extra}`, { token })).body.points as Json[];

    before(async () => {
      token = (await tp().newUser('ingester')).token;
      key = (await tp().newDevice(token, { id: 'ingest-1', name: 'Ingest' })).api_key;
    });

    it('stores the nested shape with metadata, numbers, booleans and strings (ISO timestamp)', async () => {
      const res = await tp().api('POST', '/api/v1/telemetry', {
        apiKey: key,
        body: { data: { temperature: 21.5, heating: true, mode: 'eco' }, metadata: { unit: 'C' }, timestamp: iso(T0) },
      });
      assert.equal(res.status, 201);
      assert.deepEqual(res.body, { status: 'stored', points: 3 });
      const meta = { unit: 'C' };
      assert.deepEqual(await history(T0, T0 + 1), [
        { timestamp: iso(T0), ts: T0, field: 'heating', value: true, metadata: meta },
        { timestamp: iso(T0), ts: T0, field: 'mode', value: 'eco', metadata: meta },
        { timestamp: iso(T0), ts: T0, field: 'temperature', value: 21.5, metadata: meta },
      ]);
    });

    it('stores the flat shape with an epoch-ms timestamp, and a batch mixing both shapes', async () => {
      const t1 = T0 + 60_000;
      const flat = await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: { temperature: 22, humidity: 40, timestamp: t1, device_id: 'ingest-1' } });
      assert.equal(flat.status, 201);
      assert.deepEqual(flat.body, { status: 'stored', points: 2 });
      const batch = await tp().api('POST', '/api/v1/telemetry', {
        apiKey: key,
        body: [
          { data: { temperature: 23 }, timestamp: iso(T0 + 120_000) },
          { temperature: 24, timestamp: T0 + 180_000 },
          { data: { temperature: -1.25, door: false }, timestamp: '2026-01-10T01:04:00+01:00' },
        ],
      });
      assert.equal(batch.status, 201);
      assert.deepEqual(batch.body, { status: 'stored', points: 4 });
      const rows = (await history(t1, T0 + 300_000)).map((p) => [p.ts - T0, p.field, p.value]);
      assert.deepEqual(rows, [
        [60_000, 'humidity', 40],
        [60_000, 'temperature', 22],
        [120_000, 'temperature', 23],
        [180_000, 'temperature', 24],
        [240_000, 'door', false],
        [240_000, 'temperature', -1.25],
      ]);
    });

    it('answers 201 only after commit: the point is readable at once, also under concurrency', async () => {
      const base = T0 + 3_600_000;
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) => tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: { data: { seq: i }, timestamp: base + i * 1000 } })),
      );
      assert.deepEqual(results.map((r) => r.status), Array(25).fill(201));
      const points = await history(base, base + 25_000);
      assert.deepEqual(points.map((p) => p.value), Array.from({ length: 25 }, (_, i) => i));
      const now = await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: { live: 7 } });
      assert.equal(now.status, 201);
      const latest = await tp().api('GET', '/api/v1/telemetry/ingest-1/latest', { token });
      assert.equal(latest.body.values.live, 7);
      // Telemetry counts as a sign of life.
      const device = await tp().api('GET', '/api/v1/devices/ingest-1', { token });
      assert.equal(device.body.online, true);
      assert.ok(Date.parse(device.body.last_seen) >= Date.parse(latest.body.timestamp) - 1000);
    });

    it('refuses an unknown or missing key with 401 INVALID_API_KEY', async () => {
      for (const apiKey of ['fgk_unknown', undefined]) {
        const res = await tp().api('POST', '/api/v1/telemetry', { apiKey, body: { temperature: 1 } });
        assert.equal(res.status, 401);
        assert.equal(res.body.error.code, 'INVALID_API_KEY');
      }
      const asUser = await tp().api('POST', '/api/v1/telemetry', { token, body: { temperature: 1 } });
      assert.equal(asUser.status, 401);
      assert.equal(asUser.body.error.code, 'INVALID_API_KEY');
    });

    it('refuses bad telemetry with 422 naming the member, storing nothing of the request', async () => {
      const base = T0 + 7_200_000;
      const cases: Array<[unknown, string]> = [
        [[{ data: { temperature: 1 }, timestamp: base }, { data: { temperature: null }, timestamp: base + 1 }], '[1].data.temperature'],
        [[{ temperature: 1, timestamp: base }, { temperature: 'x'.repeat(1025), timestamp: base + 1 }], '[1].temperature'],
        [[{ temperature: 1, timestamp: base }, { temperature: 2, timestamp: 1_700_000_000 }], '[1].timestamp'],
        [{ data: { temperature: 1 }, timestamp: 'yesterday' }, 'timestamp'],
        [{ data: { temperature: 1 }, timestamp: '2026-02-30T00:00:00Z' }, 'timestamp'],
        [{ data: { temperature: 1 }, timestamp: Date.now() + 7 * 86_400_000 }, 'timestamp'],
        [{ data: { temperature: { nested: 1 } }, timestamp: base }, 'data.temperature'],
        [{ data: { 'bad field': 1 }, timestamp: base }, 'data.bad field'],
        [{ data: [1, 2], timestamp: base }, 'data'],
        [{ data: {}, timestamp: base }, 'data'],
        [{ temperature: 1, device_id: 'someone-else', timestamp: base }, 'device_id'],
        [{ data: { t: 1 }, metadata: 'text', timestamp: base }, 'metadata'],
        [[], '(body)'],
        [[5], '[0]'],
        [JSON.stringify('just text'), '(body)'],
        ['42', '(body)'],
      ];
      for (const [body, member] of cases) {
        const res = await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body });
        assert.equal(res.status, 422, JSON.stringify(body).slice(0, 80));
        assert.equal(res.body.error.code, 'INVALID_TELEMETRY');
        assert.ok(res.body.error.message.startsWith(`${member}: `), `${JSON.stringify(body).slice(0, 80)} → ${res.body.error.message}`);
        assert.deepEqual(res.body.error.details, { field: member });
      }
      // Text the platform-wide policy refuses (NUL, C1, bidi overrides, lone surrogates) is refused while
      // the body is parsed, on every route alike: 400 naming the member.
      const nul = await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: [{ data: { note: 'ok' }, timestamp: base }, { data: { note: 'nul\u0000byte' }, timestamp: base + 1 }] });
      assert.deepEqual([nul.status, nul.body.error.code, nul.body.error.details], [400, 'VALIDATION_FAILED', { field: 'body[1].data.note' }]);
      assert.deepEqual(await history(base - 1000, base + 1000), []);
    });

    it('answers 413 for a body over BODY_LIMIT_BYTES, 400 INVALID_JSON for broken JSON, 415 for other types', async () => {
      const big = { data: { text: 'x'.repeat(1000) }, timestamp: T0 };
      const res = await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: Array(10).fill(big) });
      assert.equal(res.status, 413);
      assert.equal(res.body.error.code, 'PAYLOAD_TOO_LARGE');
      for (const text of ['{"temperature":', '{temperature: 1}', '']) {
        const bad = await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: text, headers: { 'content-type': 'application/json' } });
        assert.equal(bad.status, 400, JSON.stringify(text));
        assert.equal(bad.body.error.code, 'INVALID_JSON', JSON.stringify(text));
      }
      const plain = await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: 'temperature=1', headers: { 'content-type': 'text/plain' } });
      assert.equal(plain.status, 415);
      assert.equal(plain.body.error.code, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('refuses prototype-polluting keys (400 INVALID_JSON, or 422 for a plain constructor field) and stores nothing', async () => {
      const base = T0 + 10_800_000;
      // The JSON parser refuses __proto__ keys and constructor.prototype anywhere; a plain
      // "constructor" key parses and is then no valid field name.
      for (const [text, status, code] of [
        [`{"__proto__":{"polluted":1},"temperature":1,"timestamp":${base}}`, 400, 'INVALID_JSON'],
        [`{"data":{"__proto__":1},"timestamp":${base}}`, 400, 'INVALID_JSON'],
        [`{"data":{"constructor":{"prototype":{"polluted":1}}},"timestamp":${base}}`, 400, 'INVALID_JSON'],
        [`[{"temperature":1,"timestamp":${base}},{"constructor":1,"timestamp":${base}}]`, 422, 'INVALID_TELEMETRY'],
      ] as const) {
        const res = await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: text });
        assert.deepEqual([res.status, res.body.error.code], [status, code], text);
      }
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.deepEqual(await history(base - 1000, base + 1000), []);
    });
  },
  { BODY_LIMIT_BYTES: '4096' },
);

// Telemetry queries over real HTTP: history (ranges, fields, order, cursor, limit cap), latest,
// aggregates from rollups (fixed and DST-aware calendar windows), range deletion, export, status.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { type Json, forEachStorage } from '../helpers/platform.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
// UTC midnight ten days ago, whatever day the suite runs: whole days for the 1d windows, older than
// -1d and well inside -1000d for the relative reads.
const T0 = Math.floor(Date.now() / DAY) * DAY - 10 * DAY;
const iso = (ms: number) => new Date(ms).toISOString();

forEachStorage(
  'telemetry queries',
  (tp, kind) => {
    let token: string;
    let other: string;
    let key: string;
    const get = (path: string, t = token) => tp().api('GET', path, { token: t });

    before(async () => {
      token = (await tp().newUser('reader')).token;
      other = (await tp().newUser('stranger')).token;
      key = (await tp().newDevice(token, { id: 'q1', name: 'Query device' })).api_key;
      // 3 hours of one point per minute: temperature = minute index, humidity = 50, on = minute is even.
      const body = Array.from({ length: 180 }, (_, i) => ({ data: { temperature: i, humidity: 50, on: i % 2 === 0 }, timestamp: T0 + i * MIN }));
      const res = await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body });
      assert.equal(res.status, 201);
      assert.equal(res.body.points, 540);
    });

    it('returns history of an absolute range, newest first by default, with fields and limit', async () => {
      const res = await get(`/api/v1/telemetry/q1?start_time=${iso(T0)}&end_time=${iso(T0 + 2 * MIN)}`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, {
        device_id: 'q1',
        count: 6,
        next_cursor: null,
        points: [
          { timestamp: iso(T0 + MIN), ts: T0 + MIN, field: 'temperature', value: 1 },
          { timestamp: iso(T0 + MIN), ts: T0 + MIN, field: 'on', value: false },
          { timestamp: iso(T0 + MIN), ts: T0 + MIN, field: 'humidity', value: 50 },
          { timestamp: iso(T0), ts: T0, field: 'temperature', value: 0 },
          { timestamp: iso(T0), ts: T0, field: 'on', value: true },
          { timestamp: iso(T0), ts: T0, field: 'humidity', value: 50 },
        ],
      });
      const fields = await get(`/api/v1/telemetry/q1?start_time=${T0}&end_time=${T0 + HOUR}&fields=temperature&order=asc&limit=3`);
      assert.deepEqual(fields.body.points.map((p: Json) => p.value), [0, 1, 2]);
      assert.equal(typeof fields.body.next_cursor, 'string');
      const two = await get(`/api/v1/telemetry/q1?start_time=${T0}&end_time=${T0 + MIN}&fields=temperature,%20on`);
      assert.deepEqual(two.body.points.map((p: Json) => p.field), ['temperature', 'on']);
    });

    it('walks every point exactly once with the cursor, in both orders', async () => {
      for (const order of ['asc', 'desc'] as const) {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const res: Json = await get(`/api/v1/telemetry/q1?start_time=${T0}&end_time=${T0 + 3 * HOUR}&order=${order}&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
          assert.equal(res.status, 200);
          seen.push(...res.body.points.map((p: Json) => `${p.ts}/${p.field}`));
          cursor = res.body.next_cursor;
          pages++;
        } while (cursor && pages < 200);
        assert.equal(seen.length, 540, order);
        assert.equal(new Set(seen).size, 540, order);
        assert.equal(pages, Math.ceil(540 / 7));
        const keys = seen.map((s) => s.split('/')).map(([ts, f]) => [Number(ts), f!] as const);
        const sorted = [...keys].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
        assert.deepEqual(keys, order === 'asc' ? sorted : sorted.reverse());
      }
    });

    it('caps limit at QUERY_MAX_LIMIT', async () => {
      const res = await get(`/api/v1/telemetry/q1?start_time=${T0}&end_time=${T0 + 3 * HOUR}&limit=1e9`);
      assert.equal(res.status, 200);
      assert.equal(res.body.count, 100);
      assert.equal(typeof res.body.next_cursor, 'string');
    });

    it('understands relative times: -24h covers points sent now and not older ones', async () => {
      const now = await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: { pressure: 1013 } });
      assert.equal(now.status, 201);
      const res = await get('/api/v1/telemetry/q1?start_time=-24h');
      assert.deepEqual(res.body.points.map((p: Json) => [p.field, p.value]), [['pressure', 1013]]);
      const byDefault = await get('/api/v1/telemetry/q1');
      assert.deepEqual(byDefault.body.points.map((p: Json) => p.field), ['pressure']);
      const older = await get('/api/v1/telemetry/q1?start_time=-1000d&end_time=-1d&fields=temperature&limit=1');
      assert.deepEqual(older.body.points.map((p: Json) => p.value), [179]);
    });

    it('returns the latest value of every field', async () => {
      const res = await get('/api/v1/telemetry/q1/latest');
      assert.equal(res.status, 200);
      const { timestamp, points, ...rest } = res.body;
      assert.deepEqual(rest, { device_id: 'q1', values: { humidity: 50, on: false, pressure: 1013, temperature: 179 } });
      assert.equal(timestamp, points.find((p: Json) => p.field === 'pressure').timestamp);
      assert.deepEqual(
        points.filter((p: Json) => p.field !== 'pressure').map((p: Json) => [p.field, p.ts]).sort(),
        [['humidity', T0 + 179 * MIN], ['on', T0 + 179 * MIN], ['temperature', T0 + 179 * MIN]],
      );
    });

    it('aggregates per hour from hour rollups with exact values for every aggregation', async () => {
      const expected: Record<string, number[]> = {
        mean: [29.5, 89.5, 149.5],
        min: [0, 60, 120],
        max: [59, 119, 179],
        sum: [1770, 5370, 8970],
        count: [60, 60, 60],
        first: [0, 60, 120],
        last: [59, 119, 179],
      };
      for (const [aggregation, values] of Object.entries(expected)) {
        const res = await get(`/api/v1/telemetry/q1/aggregated?field=temperature&aggregation=${aggregation}&window=1h&start_time=${iso(T0)}&end_time=${iso(T0 + 3 * HOUR)}`);
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.body, {
          device_id: 'q1',
          field: 'temperature',
          aggregation,
          window: '1h',
          tz: 'UTC',
          start_time: iso(T0),
          end_time: iso(T0 + 3 * HOUR),
          source: 'rollup_hour',
          buckets: values.map((value, i) => ({ start: iso(T0 + i * HOUR), end: iso(T0 + (i + 1) * HOUR), value, count: 60 })),
        });
      }
      const avg = await get(`/api/v1/telemetry/q1/aggregated?field=on&aggregation=avg&window=1h&start_time=${T0}&end_time=${T0 + HOUR}`);
      assert.equal(avg.body.aggregation, 'mean');
      assert.deepEqual(avg.body.buckets.map((b: Json) => b.value), [0.5]);
    });

    it('aggregates per minute and per day, and mixes raw points at unaligned edges', async () => {
      const minute = await get(`/api/v1/telemetry/q1/aggregated?field=temperature&aggregation=max&window=1m&start_time=${T0}&end_time=${T0 + 3 * MIN}`);
      assert.equal(minute.body.source, 'rollup_minute');
      assert.deepEqual(minute.body.buckets.map((b: Json) => [b.value, b.count]), [[0, 1], [1, 1], [2, 1]]);
      const day = await get(`/api/v1/telemetry/q1/aggregated?field=temperature&aggregation=mean&window=1d&start_time=${iso(T0)}&end_time=${iso(T0 + DAY)}`);
      assert.equal(day.body.source, 'rollup_hour');
      assert.deepEqual(day.body.buckets, [{ start: iso(T0), end: iso(T0 + DAY), value: 89.5, count: 180 }]);
      const unaligned = await get(
        `/api/v1/telemetry/q1/aggregated?field=temperature&aggregation=count&window=1d&start_time=${T0 + 30 * MIN + 1}&end_time=${T0 + 2 * HOUR + 90 * 1000}`,
      );
      assert.equal(unaligned.body.source, 'raw+rollup_minute+rollup_hour');
      // Points at minutes 31…121 (the one at 30:00.000 is before start, the one at 2:01:00 is inside).
      assert.deepEqual(unaligned.body.buckets.map((b: Json) => b.value), [91]);
      const empty = await get(`/api/v1/telemetry/q1/aggregated?field=temperature&aggregation=mean&window=1h&start_time=${T0 - 2 * HOUR}&end_time=${T0}`);
      assert.deepEqual(empty.body.buckets.map((b: Json) => [b.value, b.count]), [[null, 0], [null, 0]]);
      const emptyCount = await get(`/api/v1/telemetry/q1/aggregated?field=temperature&aggregation=count&window=1h&start_time=${T0 - HOUR}&end_time=${T0}`);
      assert.deepEqual(emptyCount.body.buckets.map((b: Json) => b.value), [0]);
    });

    it('aligns 1d buckets to local midnight across DST days of 23 and 25 hours', async () => {
      const dstKey = (await tp().newDevice(token, { id: 'dst', name: 'DST' })).api_key;
      const hourly = (from: string, hours: number) => Array.from({ length: hours }, (_, i) => ({ data: { power: 1 }, timestamp: Date.parse(from) + i * HOUR }));
      const body = [...hourly('2026-03-27T12:00:00Z', 96), ...hourly('2026-10-23T12:00:00Z', 96)];
      assert.equal((await tp().api('POST', '/api/v1/telemetry', { apiKey: dstKey, body })).status, 201);
      const spring = await get('/api/v1/telemetry/dst/aggregated?field=power&aggregation=count&window=1d&tz=Europe/Berlin&start_time=2026-03-28T00:00:00%2B01:00&end_time=2026-03-31T00:00:00%2B02:00');
      assert.equal(spring.status, 200, spring.text);
      assert.equal(spring.body.tz, 'Europe/Berlin');
      assert.equal(spring.body.source, 'rollup_hour');
      assert.deepEqual(spring.body.buckets, [
        { start: '2026-03-27T23:00:00.000Z', end: '2026-03-28T23:00:00.000Z', value: 24, count: 24 },
        { start: '2026-03-28T23:00:00.000Z', end: '2026-03-29T22:00:00.000Z', value: 23, count: 23 },
        { start: '2026-03-29T22:00:00.000Z', end: '2026-03-30T22:00:00.000Z', value: 24, count: 24 },
      ]);
      const autumn = await get('/api/v1/telemetry/dst/aggregated?field=power&aggregation=sum&window=1d&tz=Europe/Berlin&start_time=2026-10-24T00:00:00%2B02:00&end_time=2026-10-26T00:00:00%2B01:00');
      assert.deepEqual(autumn.body.buckets, [
        { start: '2026-10-23T22:00:00.000Z', end: '2026-10-24T22:00:00.000Z', value: 24, count: 24 },
        { start: '2026-10-24T22:00:00.000Z', end: '2026-10-25T23:00:00.000Z', value: 25, count: 25 },
      ]);
      const week = await get('/api/v1/telemetry/dst/aggregated?field=power&aggregation=count&window=1w&tz=Europe/Berlin&start_time=2026-03-28T00:00:00Z&end_time=2026-03-30T00:00:00Z');
      assert.deepEqual(week.body.buckets, [
        // ISO weeks: Monday 2026-03-23 00:00 CET to Monday 2026-03-30 00:00 CEST (167 hours), and the
        // next; values count only points inside the queried range (28th 00:00Z to 30th 00:00Z).
        { start: '2026-03-22T23:00:00.000Z', end: '2026-03-29T22:00:00.000Z', value: 46, count: 46 },
        { start: '2026-03-29T22:00:00.000Z', end: '2026-04-05T22:00:00.000Z', value: 2, count: 2 },
      ]);
      const month = await get('/api/v1/telemetry/dst/aggregated?field=power&aggregation=count&window=1mo&tz=Europe/Berlin&start_time=2026-03-15T00:00:00Z&end_time=2026-04-02T00:00:00Z');
      assert.deepEqual(month.body.buckets, [
        { start: '2026-02-28T23:00:00.000Z', end: '2026-03-31T22:00:00.000Z', value: 96, count: 96 },
        { start: '2026-03-31T22:00:00.000Z', end: '2026-04-30T22:00:00.000Z', value: 0, count: 0 },
      ]);
      // A range starting mid-day still gets buckets from local midnight, not from the query time.
      const midDay = await get('/api/v1/telemetry/dst/aggregated?field=power&aggregation=count&window=1d&tz=Europe/Berlin&start_time=2026-03-29T15:00:00Z&end_time=2026-03-29T22:00:00Z');
      assert.deepEqual(midDay.body.buckets.map((b: Json) => [b.start, b.end]), [['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z']]);
    });

    it('refuses bad tz, window, aggregation, time and cursor with 400 and a code', async () => {
      const cases: Array<[string, string, RegExp]> = [
        ['/aggregated?field=temperature&tz=Mars/Olympus', 'INVALID_TIME', /^tz: /],
        ['/aggregated?field=temperature&window=5x', 'VALIDATION_FAILED', /^window: /],
        ['/aggregated?field=temperature&window=13h', 'VALIDATION_FAILED', /^window: /],
        ['/aggregated?field=temperature&window=2w', 'VALIDATION_FAILED', /^window: /],
        ['/aggregated?field=temperature&window=1m&start_time=-365d', 'VALIDATION_FAILED', /^window /],
        ['/aggregated?field=temperature&aggregation=median', 'VALIDATION_FAILED', /^querystring\.aggregation: /],
        ['/aggregated?aggregation=mean', 'VALIDATION_FAILED', /^querystring\.field: /],
        ['?start_time=yesterday', 'INVALID_TIME', /^start_time: /],
        ['?end_time=2026-13-01', 'INVALID_TIME', /^end_time: /],
        [`?start_time=${T0 + HOUR}&end_time=${T0}`, 'INVALID_TIME', /start_time must be before end_time/],
        ['?order=sideways', 'VALIDATION_FAILED', /^querystring\.order: /],
        ['?limit=0', 'VALIDATION_FAILED', /^querystring\.limit: /],
        ['?cursor=garbage', 'INVALID_CURSOR', /cursor/],
        [`?cursor=${Buffer.from(JSON.stringify([T0, 'a\u0000b'])).toString('base64url')}`, 'INVALID_CURSOR', /cursor/],
        [`?cursor=${Buffer.from(JSON.stringify([T0, 'a', 'extra'])).toString('base64url')}`, 'INVALID_CURSOR', /cursor/],
        ['/export?format=xml', 'VALIDATION_FAILED', /^querystring\.format: /],
      ];
      for (const [suffix, code, message] of cases) {
        const res = await get(`/api/v1/telemetry/q1${suffix}`);
        assert.equal(res.status, 400, `${suffix}: ${res.text}`);
        assert.equal(res.body.error.code, code, suffix);
        assert.match(res.body.error.message, message, suffix);
      }
    });

    it("hides another user's telemetry behind 404 and needs a credential", async () => {
      // A signed-in caller's read starts beside the access check (read-beside-auth.ts): the refusal
      // must still be all that leaves, before any complaint about the query itself.
      const forged = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
      for (const suffix of ['', '/latest', '/aggregated?field=temperature', '/series', '/export', '?start_time=yesterday-ish', '/aggregated?field=temperature&window=7s']) {
        const res = await get(`/api/v1/telemetry/q1${suffix}`, other);
        assert.equal(res.status, 404, suffix);
        assert.equal(res.body.error.code, 'DEVICE_NOT_FOUND');
        assert.equal(res.body.points, undefined, suffix);
        const anon = await tp().api('GET', `/api/v1/telemetry/q1${suffix}`);
        assert.equal(anon.status, 401, suffix);
        const bad = await get(`/api/v1/telemetry/q1${suffix}`, forged);
        assert.equal(bad.status, 401, suffix);
        assert.equal(bad.body.error.code, 'INVALID_TOKEN', suffix);
      }
      // The owner's own bad query is still a 400.
      assert.equal((await get('/api/v1/telemetry/q1?start_time=yesterday-ish')).status, 400);
      assert.equal((await tp().api('DELETE', `/api/v1/telemetry/q1?start_time=${T0}`, { token: other })).status, 404);
      const ownKey = await tp().api('GET', '/api/v1/telemetry/q1/latest', { apiKey: key });
      assert.equal(ownKey.status, 200);
      const otherKey = (await tp().newDevice(other, { id: 'neighbour', name: 'Neighbour' })).api_key;
      const foreign = await tp().api('GET', '/api/v1/telemetry/q1/latest', { apiKey: otherKey });
      assert.equal(foreign.status, 404);
      assert.equal(foreign.body.error.code, 'DEVICE_NOT_FOUND');
      assert.equal((await tp().api('GET', '/api/v1/telemetry/q1', { apiKey: 'fgk_nope' })).status, 401);
    });

    it('exports CSV and NDJSON with exact content, guarding against spreadsheet formulas', async () => {
      const exKey = (await tp().newDevice(token, { id: 'exp', name: 'Export' })).api_key;
      const body = [
        { data: { a: 1.5, b: true, note: '=HYPERLINK("http://evil")' }, metadata: { src: 'x' }, timestamp: T0 },
        { data: { a: -2, note: 'say "hi", ok' }, timestamp: T0 + 1000 },
      ];
      assert.equal((await tp().api('POST', '/api/v1/telemetry', { apiKey: exKey, body })).status, 201);
      const range = `start_time=${T0}&end_time=${T0 + 2000}`;
      const csv = await get(`/api/v1/telemetry/exp/export?${range}`);
      assert.equal(csv.status, 200);
      assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
      assert.equal(csv.headers.get('content-disposition'), 'attachment; filename="exp.csv"');
      assert.equal(
        csv.text,
        [
          'timestamp,device_id,field,value',
          `${iso(T0)},exp,a,1.5`,
          `${iso(T0)},exp,b,true`,
          `${iso(T0)},exp,note,"'=HYPERLINK(""http://evil"")"`,
          `${iso(T0 + 1000)},exp,a,-2`,
          `${iso(T0 + 1000)},exp,note,"say ""hi"", ok"`,
          '',
        ].join('\n'),
      );
      const nd = await get(`/api/v1/telemetry/exp/export?format=ndjson&fields=a&${range}`);
      assert.equal(nd.headers.get('content-type'), 'application/x-ndjson');
      assert.equal(
        nd.text,
        `{"timestamp":"${iso(T0)}","device_id":"exp","field":"a","value":1.5,"metadata":{"src":"x"}}\n` +
          `{"timestamp":"${iso(T0 + 1000)}","device_id":"exp","field":"a","value":-2}\n`,
      );
      const big = await get(`/api/v1/telemetry/q1/export?format=ndjson&start_time=${T0}&end_time=${T0 + 3 * HOUR}`);
      assert.equal(big.text.trim().split('\n').length, 540);
    });

    it('deletes a range and rebuilds the rollups it touched', async () => {
      const res = await tp().api('DELETE', `/api/v1/telemetry/q1?start_time=${T0 + 30 * MIN}&end_time=${T0 + 90 * MIN}&`, { token });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { device_id: 'q1', deleted: 180 });
      const hist = await get(`/api/v1/telemetry/q1?start_time=${T0 + 30 * MIN}&end_time=${T0 + 90 * MIN}`);
      assert.deepEqual(hist.body.points, []);
      const agg = await get(`/api/v1/telemetry/q1/aggregated?field=temperature&aggregation=sum&window=1h&start_time=${T0}&end_time=${T0 + 3 * HOUR}`);
      assert.deepEqual(agg.body.buckets.map((b: Json) => [b.value, b.count]), [
        [435, 30], // 0…29
        [3135, 30], // 90…119
        [8970, 60],
      ]);
      const noStart = await tp().api('DELETE', '/api/v1/telemetry/q1', { token });
      assert.equal(noStart.status, 400);
      assert.match(noStart.body.error.message, /^querystring\.start_time: /);
    });

    it('reports the telemetry status', async () => {
      const res = await tp().api('GET', '/api/v1/telemetry/status');
      assert.equal(res.status, 200);
      // 540 - 180 deleted + pressure + 96*2 power + 3 of the export points (the 2 text points are not numeric)
      assert.deepEqual(res.body, { status: 'healthy', storage: kind, numeric_points_stored: 540 - 180 + 1 + 192 + 3, devices: 4, pending_points: 0 });
    });
  },
  { QUERY_MAX_LIMIT: '100' },
);

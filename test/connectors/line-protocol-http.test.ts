// POST /api/v2/write and /write over real HTTP, on both storages: every precision, gzip, escapes and
// tags as metadata, the device mapping for device keys and user tokens, InfluxDB-shaped errors
// with the line number, and a refused request storing nothing of its batch.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { before, it } from 'node:test';
import { type Json, type TestPlatform, forEachStorage, startPlatform } from '../helpers/platform.ts';
import { runSql } from '../helpers/raw-sql.ts';

/** A whole second a day ago: every precision can express it, and no clock setting makes it future. */
const T0 = Math.floor((Date.now() - 86_400_000) / 1000) * 1000;

interface WriteAnswer {
  status: number;
  body: Json;
  fluxgateCode: string | null;
}

async function write(tp: TestPlatform, path: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<WriteAnswer> {
  const res = await fetch(tp.baseUrl + path, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body });
  const text = await res.text();
  if (res.status >= 500 && res.status !== 503) throw new Error(`${path} answered ${res.status}: ${text}`);
  return { status: res.status, body: text ? JSON.parse(text) : undefined, fluxgateCode: res.headers.get('x-fluxgate-error') };
}

forEachStorage(
  'line protocol writes',
  (tp) => {
    let owner: string;
    let key: string;
    const token = (k: string) => ({ authorization: `Token ${k}` });
    const history = async (device: string, start = T0 - 3_600_000, end = T0 + 3_600_000) =>
      ((await tp().api('GET', `/api/v1/telemetry/${device}?start_time=${start}&end_time=${end}&order=asc&limit=1000`, { token: owner })).body.points as Json[]).map(
        (p) => [p.ts - T0, p.field, p.value, p.metadata],
      );

    before(async () => {
      owner = (await tp().newUser('lp-owner')).token;
      key = (await tp().newDevice(owner, { id: 'lp-1', name: 'Line protocol 1' })).api_key;
      await tp().newDevice(owner, { id: 'lp-2', name: 'Line protocol 2' });
      for (const id of ['lp-prec-v2', 'lp-prec-v1', 'lp-esc', 'lp-batch', 'lp-user', 'lp-gzip']) await tp().newDevice(owner, { id, name: id });
    });

    it('answers 204 with every field type stored (device key, no device tag: the key\'s device)', async () => {
      const res = await write(tp(), '/api/v2/write?org=any&bucket=any&precision=ms', `power power=12.5,count=3i,total=7u,on=true,mode="eco" ${T0}\n`, token(key));
      assert.deepEqual([res.status, res.body], [204, undefined]);
      assert.deepEqual(await history('lp-1'), [
        [0, 'count', 3, undefined],
        [0, 'mode', 'eco', undefined],
        [0, 'on', true, undefined],
        [0, 'power', 12.5, undefined],
        [0, 'total', 7, undefined],
      ]);
    });

    it('reads the timestamp in each v2 precision (ns, us, ms, s) and defaults to ns', async () => {
      const auth = { authorization: `Token ${owner}` };
      const digits: Array<[string, string]> = [
        ['ns', `${T0 + 1000}000000`],
        ['us', `${T0 + 2000}000`],
        ['ms', `${T0 + 3000}`],
        ['s', `${(T0 + 4000) / 1000}`],
      ];
      for (const [precision, ts] of digits) {
        const res = await write(tp(), `/api/v2/write?precision=${precision}`, `x,device=lp-prec-v2 ${precision}=1 ${ts}`, auth);
        assert.equal(res.status, 204, JSON.stringify(res.body));
      }
      const defaulted = await write(tp(), '/api/v2/write', `lp-prec-v2 dflt=1 ${T0 + 5000}123456`, auth);
      assert.equal(defaulted.status, 204);
      assert.deepEqual(await history('lp-prec-v2'), [
        [1000, 'ns', 1, undefined],
        [2000, 'us', 1, undefined],
        [3000, 'ms', 1, undefined],
        [4000, 's', 1, undefined],
        [5000, 'dflt', 1, undefined],
      ]);
    });

    it('reads the timestamp in each v1 precision (n, u, ms, s, m, h) on /write', async () => {
      const minute = Math.floor(T0 / 60_000) * 60_000;
      const hour = Math.floor(T0 / 3_600_000) * 3_600_000;
      const lines: Array<[string, string, number]> = [
        ['n', `${T0 + 1000}000000`, T0 + 1000],
        ['u', `${T0 + 2000}000`, T0 + 2000],
        ['ms', `${T0 + 3000}`, T0 + 3000],
        ['s', `${(T0 + 4000) / 1000}`, T0 + 4000],
        ['m', `${minute / 60_000}`, minute],
        ['h', `${hour / 3_600_000}`, hour],
      ];
      for (const [precision, ts] of lines) {
        const res = await write(tp(), `/write?db=x&precision=${precision}&u=someone&p=${encodeURIComponent(owner)}`, `lp-prec-v1 ${precision}=2 ${ts}`);
        assert.equal(res.status, 204, JSON.stringify(res.body));
      }
      const stored = await history('lp-prec-v1', hour - 1, T0 + 3_600_000);
      assert.deepEqual(
        stored.map(([offset, field]) => [field, offset + T0]).sort(),
        lines.map(([precision, , ms]) => [precision, ms]).sort(),
      );
    });

    it('takes gzip bodies and Basic auth on /write', async () => {
      const body = gzipSync(Array.from({ length: 200 }, (_, i) => `m,device=lp-gzip v=${i} ${T0 + i * 1000}`).join('\n'));
      const basic = `Basic ${Buffer.from(`ignored:${owner}`).toString('base64')}`;
      const res = await write(tp(), '/write?precision=ms', body, { 'content-encoding': 'gzip', authorization: basic });
      assert.equal(res.status, 204, JSON.stringify(res.body));
      const stored = await history('lp-gzip');
      assert.equal(stored.length, 200);
      assert.deepEqual(stored[199], [199_000, 'v', 199, undefined]);
    });

    it('unescapes names and strings; other tags become metadata', async () => {
      const res = await write(
        tp(),
        '/api/v2/write?precision=ms',
        `# a comment\n\nroom\\ 1,device=lp-esc,site=north\\ wing,floor\\=x=2 note="say \\"hi\\", a\\\\b",temp=21.5 ${T0}\r\n`,
        { authorization: `Token ${owner}` },
      );
      assert.equal(res.status, 204, JSON.stringify(res.body));
      const meta = { site: 'north wing', 'floor=x': '2' };
      assert.deepEqual(await history('lp-esc'), [
        [0, 'note', 'say "hi", a\\b', meta],
        [0, 'temp', 21.5, meta],
      ]);
    });

    it('refuses the whole batch at a bad line, naming it (400 invalid, InfluxDB shape)', async () => {
      const body = [`lp-batch v=1 ${T0}`, `lp-batch v=2 ${T0 + 1000}`, 'lp-batch v=oops', `lp-batch v=4 ${T0 + 3000}`].join('\n');
      const res = await write(tp(), '/api/v2/write?precision=ms', body, { authorization: `Token ${owner}` });
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'invalid');
      assert.match(res.body.message, /^line 3: field v: invalid value "oops"/);
      assert.equal(res.fluxgateCode, 'INVALID_LINE_PROTOCOL');
      const badField = await write(tp(), '/api/v2/write?precision=ms', `lp-batch v=1 ${T0}\nlp-batch bad/field=1 ${T0}`, { authorization: `Token ${owner}` });
      assert.equal(badField.status, 400);
      assert.match(badField.body.message, /^line 2: field key "bad\/field" is not a valid Fluxgate field name/);
      const v1 = await write(tp(), `/write?precision=ms&p=${owner}`, 'lp-batch v=1\nlp-batch', {});
      assert.deepEqual([v1.status, v1.body], [400, { error: "line 2: missing fields ('lp-batch')" }]);
      assert.deepEqual(await history('lp-batch'), []);
    });

    it('maps lines to devices: device key vs device tag; user token vs measurement and control access', async () => {
      const foreign = await write(tp(), '/api/v2/write?precision=ms', `m v=1 ${T0}\nm,device=lp-2 v=1 ${T0}`, token(key));
      assert.deepEqual([foreign.status, foreign.body.code, foreign.fluxgateCode], [403, 'forbidden', 'FORBIDDEN']);
      assert.match(foreign.body.message, /^line 2: the key of device lp-1 may not write to device lp-2/);

      const stranger = (await tp().newUser('lp-stranger')).token;
      const reader = await tp().newUser('lp-reader');
      const operator = await tp().newUser('lp-operator');
      for (const [u, level] of [[reader, 'read'], [operator, 'control']] as const) {
        const share = await tp().api('POST', '/api/v1/devices/lp-user/access', { token: owner, body: { user_id: u.id, level } });
        assert.equal(share.status, 201, share.text);
      }
      const unknown = await write(tp(), '/api/v2/write?precision=ms', `lp-user v=1 ${T0}\nno-such-device v=1 ${T0}`, token(operator.token));
      assert.deepEqual([unknown.status, unknown.body.code, unknown.fluxgateCode], [404, 'not found', 'DEVICE_NOT_FOUND']);
      assert.match(unknown.body.message, /^line 2: /);
      const hidden = await write(tp(), '/api/v2/write?precision=ms', `lp-user v=1 ${T0}`, token(stranger));
      assert.deepEqual([hidden.status, hidden.body.code], [404, 'not found']);
      const readOnly = await write(tp(), '/api/v2/write?precision=ms', `lp-user v=1 ${T0}`, token(reader.token));
      assert.deepEqual([readOnly.status, readOnly.body.code, readOnly.fluxgateCode], [403, 'forbidden', 'FORBIDDEN']);
      assert.deepEqual(await history('lp-user'), []);

      const allowed = await write(tp(), '/api/v2/write?precision=ms', `lp-user v=5 ${T0}\nother,device=lp-user w=6 ${T0}`, token(operator.token));
      assert.equal(allowed.status, 204, JSON.stringify(allowed.body));
      assert.deepEqual(await history('lp-user'), [
        [0, 'v', 5, undefined],
        [0, 'w', 6, undefined],
      ]);
    });

    it('refuses missing and wrong credentials with 401 (unauthorized), and other encodings with 415', async () => {
      const none = await write(tp(), '/api/v2/write', `lp-1 v=1 ${T0}000000`);
      assert.deepEqual([none.status, none.body.code, none.fluxgateCode], [401, 'unauthorized', 'UNAUTHENTICATED']);
      const wrongKey = await write(tp(), '/api/v2/write', `lp-1 v=1 ${T0}000000`, token('fgk_not-a-key'));
      assert.deepEqual([wrongKey.status, wrongKey.body.code, wrongKey.fluxgateCode], [401, 'unauthorized', 'INVALID_API_KEY']);
      const wrongToken = await write(tp(), '/api/v2/write', `lp-1 v=1 ${T0}000000`, token('not-a-token'));
      assert.deepEqual([wrongToken.status, wrongToken.body.code], [401, 'unauthorized']);
      const v1 = await write(tp(), '/write?u=x&p=fgk_wrong', `lp-1 v=1 ${T0}000000`);
      assert.deepEqual([v1.status, typeof v1.body.error], [401, 'string']);
      const brotli = await write(tp(), '/api/v2/write', `lp-1 v=1 ${T0}000000`, { ...token(key), 'content-encoding': 'br' });
      assert.deepEqual([brotli.status, brotli.body.code], [415, 'unsupported media type']);
      const badPrecision = await write(tp(), '/api/v2/write?precision=h', `lp-1 v=1 1`, token(key));
      assert.deepEqual([badPrecision.status, badPrecision.body.code], [400, 'invalid']);
    });

    it('takes any content type or none (curl sends a form type); an empty body is 400', async () => {
      for (const [i, type] of [[1, 'application/x-www-form-urlencoded'], [2, 'application/json'], [3, undefined]] as const) {
        const res = await fetch(`${tp().baseUrl}/api/v2/write?precision=ms`, {
          method: 'POST',
          headers: { authorization: `Token ${key}`, ...(type ? { 'content-type': type } : {}) },
          body: Buffer.from(`m ct${i}=1 ${T0 + 7_000}`),
        });
        assert.equal(res.status, 204, `${type}: ${await res.text()}`);
      }
      assert.deepEqual((await history('lp-1', T0 + 7_000, T0 + 7_001)).map(([, field]) => field), ['ct1', 'ct2', 'ct3']);
      for (const body of ['', '# only a comment\n\n']) {
        const empty = await write(tp(), '/api/v2/write', body, token(key));
        assert.deepEqual([empty.status, empty.body.code, empty.fluxgateCode], [400, 'invalid', 'INVALID_LINE_PROTOCOL']);
      }
    });

    it('lists both routes in the OpenAPI document', async () => {
      const paths = (await tp().api('GET', '/openapi.json')).body.paths;
      assert.deepEqual([paths['/api/v2/write']?.post?.tags, paths['/write']?.post?.tags], [['line protocol'], ['line protocol']]);
    });

    it('refuses timestamps in the wrong precision (too far in the future) with the line number', async () => {
      const res = await write(tp(), '/api/v2/write?precision=ms', `lp-1 v=1 ${T0}\nlp-1 v=2 ${T0}000000`, token(key));
      assert.equal(res.status, 400);
      assert.match(res.body.message, /^line 2: timestamp \d+ is too far in the future for precision ms/);
    });

    it('answers 503 (unavailable) while storage cannot take the points, acknowledging none, then 204 again', async () => {
      await tp().newDevice(owner, { id: 'lp-outage', name: 'Outage' });
      await runSql(tp(), 'ALTER TABLE chunks RENAME TO chunks_away');
      let refused: WriteAnswer;
      try {
        refused = await write(tp(), '/api/v2/write?precision=ms', `lp-outage v=1 ${T0}`, { authorization: `Token ${owner}` });
      } finally {
        await runSql(tp(), 'ALTER TABLE chunks_away RENAME TO chunks');
      }
      assert.deepEqual([refused.status, refused.body.code, refused.fluxgateCode], [503, 'unavailable', 'STORAGE_UNAVAILABLE']);
      const stored = await write(tp(), '/api/v2/write?precision=ms', `lp-outage v=2 ${T0 + 1000}`, { authorization: `Token ${owner}` });
      assert.equal(stored.status, 204);
      assert.deepEqual(await history('lp-outage'), [[1000, 'v', 2, undefined]]);
    });
  },
  { LINE_PROTOCOL_ENABLED: 'true' },
);

forEachStorage(
  'line protocol limits',
  (tp) => {
    let key: string;
    before(async () => {
      const owner = (await tp().newUser('lp-limits')).token;
      key = (await tp().newDevice(owner, { id: 'lp-big', name: 'Big' })).api_key;
    });

    it('answers 413 for a body over BODY_LIMIT_BYTES, compressed or once decompressed, and over MAX_POINTS_PER_REQUEST', async () => {
      const auth = { authorization: `Token ${key}` };
      const raw = Array.from({ length: 400 }, (_, i) => `m v=${i} ${T0 + i}`).join('\n');
      assert.ok(raw.length > 8192);
      const big = await write(tp(), '/api/v2/write?precision=ms', raw, auth);
      assert.deepEqual([big.status, big.body.code, big.fluxgateCode], [413, 'request too large', 'PAYLOAD_TOO_LARGE']);
      const bomb = await write(tp(), '/api/v2/write?precision=ms', gzipSync(raw), { ...auth, 'content-encoding': 'gzip' });
      assert.deepEqual([bomb.status, bomb.body.code], [413, 'request too large']);
      assert.match(bomb.body.message, /once decompressed/);
      const many = Array.from({ length: 30 }, (_, i) => `m a=1,b=2 ${T0 + i}`).join('\n');
      const tooMany = await write(tp(), '/api/v2/write?precision=ms', many, auth);
      assert.deepEqual([tooMany.status, tooMany.body.code], [413, 'request too large']);
      assert.match(tooMany.body.message, /more than 50 points/);
      const notGzip = await write(tp(), '/api/v2/write?precision=ms', 'plain text', { ...auth, 'content-encoding': 'gzip' });
      assert.deepEqual([notGzip.status, notGzip.body.code], [400, 'invalid']);
      const stored = await tp().api('GET', `/api/v1/telemetry/lp-big?start_time=${T0 - 1}&end_time=${T0 + 10_000}`, { apiKey: key });
      assert.deepEqual(stored.body.points, []);
    });
  },
  { LINE_PROTOCOL_ENABLED: 'true', BODY_LIMIT_BYTES: '8192', MAX_POINTS_PER_REQUEST: '50' },
);

it('serves no write endpoint unless LINE_PROTOCOL_ENABLED is set', async () => {
  const tp = await startPlatform('sqlite');
  try {
    const res = await tp.api('POST', '/api/v2/write', { body: 'm v=1', headers: { 'content-type': 'text/plain' } });
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'ROUTE_NOT_FOUND');
  } finally {
    await tp.stop();
  }
});

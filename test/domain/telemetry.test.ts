import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../src/domain/errors.ts';
import { DEFAULT_LIMITS, type NormalizeLimits, type Point, isValidFieldName, normalizeTelemetry } from '../../src/domain/telemetry.ts';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const T = Date.UTC(2026, 0, 15, 10, 0, 0);
const DEV = 'dev-1';

const normalize = (body: unknown, limits: NormalizeLimits = DEFAULT_LIMITS) => normalizeTelemetry(body, DEV, NOW, limits);
const point = (field: string, value: Point['value'], ts = T, meta: string | null = null): Point => ({ deviceId: DEV, ts, field, value, meta });

/** Asserts the payload is refused with an InvalidInputError naming `path`, its message matching `message`. */
function refuses(body: unknown, path: string, message: RegExp, limits: NormalizeLimits = DEFAULT_LIMITS): void {
  assert.throws(
    () => normalize(body, limits),
    (err: unknown) => {
      assert.ok(err instanceof InvalidInputError, `expected InvalidInputError, got ${String(err)}`);
      assert.strictEqual(err.kind, 'telemetry');
      assert.strictEqual(err.field, path);
      assert.ok(err.message.startsWith(`${path}: `), `"${err.message}" starts with the path ${path}`);
      assert.match(err.message, message);
      return true;
    },
  );
}

describe('normalizeTelemetry: payload shapes', () => {
  it('takes the seed-003 shape {data, metadata, timestamp}', () => {
    const body = { data: { temperature: 21.5, on: true, mode: 'eco' }, metadata: { unit: '°C', fw: 3 }, timestamp: '2026-01-15T10:00:00Z' };
    const meta = '{"unit":"°C","fw":3}';
    assert.deepStrictEqual(normalize(body), [point('temperature', 21.5, T, meta), point('on', true, T, meta), point('mode', 'eco', T, meta)]);
  });

  it('takes the seed-001 flat shape, leaving out the members that describe the message', () => {
    const body = { device_id: DEV, timestamp: T, power: 1200, voltage: 230.1, relay: false, status: 'online', metadata: { site: 'A' } };
    const meta = '{"site":"A"}';
    assert.deepStrictEqual(normalize(body), [
      point('power', 1200, T, meta),
      point('voltage', 230.1, T, meta),
      point('relay', false, T, meta),
      point('status', 'online', T, meta),
    ]);
  });

  it('reads the time from ts or time too, and uses now when it is absent or null', () => {
    assert.deepStrictEqual(normalize({ ts: T, a: 1 }), [point('a', 1)]);
    assert.deepStrictEqual(normalize({ time: '2026-01-15T10:00:00Z', a: 1 }), [point('a', 1)]);
    assert.deepStrictEqual(normalize({ a: 1 }), [point('a', 1, NOW)]);
    assert.deepStrictEqual(normalize({ data: { a: 1 }, timestamp: null }), [point('a', 1, NOW)]);
  });

  it('takes an array of either shape, each message with its own time and metadata', () => {
    const body = [
      { data: { a: 1 }, timestamp: T },
      { b: 'x', timestamp: '2026-01-15T10:00:01Z', metadata: { m: 1 } },
      { data: { a: 2 } },
    ];
    assert.deepStrictEqual(normalize(body), [point('a', 1, T), point('b', 'x', T + 1000, '{"m":1}'), point('a', 2, NOW)]);
  });

  it('stores empty metadata as null', () => {
    assert.deepStrictEqual(normalize({ data: { a: 1 }, metadata: {}, timestamp: T }), [point('a', 1)]);
  });

  it('keeps number, boolean and string values exactly, numeric-looking strings included', () => {
    assert.deepStrictEqual(normalize({ data: { n: -0.5, z: 0, big: 1e300, t: true, s: 'NaN', i: 'Infinity', e: '' }, timestamp: T }), [
      point('n', -0.5),
      point('z', 0),
      point('big', 1e300),
      point('t', true),
      point('s', 'NaN'),
      point('i', 'Infinity'),
      point('e', ''),
    ]);
  });
});

describe('normalizeTelemetry: timestamps', () => {
  it('takes ISO 8601 with Z, with offsets, with fractions, and date-only', () => {
    const at = (timestamp: unknown) => normalize({ a: 1, timestamp })[0]!.ts;
    assert.strictEqual(at('2026-01-15T10:00:00Z'), T);
    assert.strictEqual(at('2026-01-15T10:00:00.250Z'), T + 250);
    assert.strictEqual(at('2026-01-15T11:00:00+01:00'), T);
    assert.strictEqual(at('2026-01-15T15:30:00+05:30'), T);
    assert.strictEqual(at('2026-01-15T05:00:00-0500'), T);
    assert.strictEqual(at('2026-01-15'), Date.UTC(2026, 0, 15));
  });

  it('reads an ISO time without offset as UTC, whatever the server time zone', () => {
    const saved = process.env.TZ;
    try {
      for (const tz of ['America/New_York', 'Asia/Kolkata', 'UTC']) {
        process.env.TZ = tz;
        assert.strictEqual(normalize({ a: 1, timestamp: '2026-01-15T10:00:00' })[0]!.ts, T, tz);
        assert.strictEqual(normalize({ a: 1, timestamp: '2026-01-15 10:00:00.5' })[0]!.ts, T + 500, tz);
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('takes epoch milliseconds, dropping sub-millisecond fractions', () => {
    assert.strictEqual(normalize({ a: 1, timestamp: T })[0]!.ts, T);
    assert.strictEqual(normalize({ a: 1, timestamp: T + 0.75 })[0]!.ts, T);
    assert.strictEqual(normalize({ a: 1, timestamp: 1e11 })[0]!.ts, 1e11);
  });

  it('refuses epoch seconds sent as milliseconds', () => {
    refuses({ a: 1, timestamp: 1_768_471_200 }, 'timestamp', /1768471200 looks like epoch seconds/);
    refuses({ a: 1, timestamp: 0 }, 'timestamp', /looks like epoch seconds/);
    refuses([{ a: 1 }, { data: { a: 1 }, timestamp: 1e11 - 1 }], '[1].timestamp', /looks like epoch seconds/);
  });

  it('refuses times before 1970 and too far in the future', () => {
    refuses({ a: 1, timestamp: -1 }, 'timestamp', /is before 1970/);
    refuses({ a: 1, timestamp: '1969-12-31T23:59:59Z' }, 'timestamp', /is before 1970/);
    refuses({ a: 1, timestamp: NOW + DEFAULT_LIMITS.maxFutureMs + 1 }, 'timestamp', /too far in the future/);
    refuses({ a: 1, timestamp: '2099-01-01T00:00:00Z' }, 'timestamp', /too far in the future/);
    assert.strictEqual(normalize({ a: 1, timestamp: NOW + DEFAULT_LIMITS.maxFutureMs })[0]!.ts, NOW + DEFAULT_LIMITS.maxFutureMs);
  });

  it('refuses times that are not ISO 8601 or not real calendar times', () => {
    refuses({ a: 1, timestamp: 'yesterday' }, 'timestamp', /must be ISO 8601 or epoch milliseconds/);
    refuses({ a: 1, timestamp: '15.01.2026 10:00' }, 'timestamp', /must be ISO 8601 or epoch milliseconds/);
    refuses({ a: 1, timestamp: '2026-02-30T00:00:00Z' }, 'timestamp', /"2026-02-30T00:00:00Z" is not a valid ISO 8601 time/);
    refuses({ a: 1, timestamp: '2026-01-15T25:00:00Z' }, 'timestamp', /is not a valid ISO 8601 time/);
    refuses({ a: 1, timestamp: '2026-01-15T10:00:00Z trailing' }, 'timestamp', /is not a valid ISO 8601 time/);
    refuses({ a: 1, timestamp: `2026-01-15T10:00:00${'0'.repeat(60)}` }, 'timestamp', /must be ISO 8601 or epoch milliseconds/);
    refuses({ a: 1, timestamp: true }, 'timestamp', /must be ISO 8601 text or epoch milliseconds/);
    refuses({ a: 1, timestamp: { iso: '2026-01-15' } }, 'timestamp', /must be ISO 8601 text or epoch milliseconds/);
    refuses({ a: 1, timestamp: Number.NaN }, 'timestamp', /must be a finite number/);
    refuses({ a: 1, timestamp: Number.POSITIVE_INFINITY }, 'timestamp', /must be a finite number/);
  });
});

describe('normalizeTelemetry: values and field names', () => {
  it('refuses NaN and infinities, JSON overflow included', () => {
    refuses({ data: { a: Number.NaN } }, 'data.a', /must be a finite number/);
    refuses({ a: Number.NEGATIVE_INFINITY }, 'a', /must be a finite number/);
    refuses(JSON.parse('{"data":{"huge":1e400}}'), 'data.huge', /must be a finite number/);
  });

  it('refuses null, nested objects and arrays as values', () => {
    refuses({ data: { a: null } }, 'data.a', /must not be null/);
    refuses({ data: { a: { b: 1 } } }, 'data.a', /must be a number, boolean or string/);
    refuses({ a: [1, 2] }, 'a', /must be a number, boolean or string/);
  });

  it('refuses strings over the length limit', () => {
    const limits = { ...DEFAULT_LIMITS, maxStringLength: 4 };
    assert.deepStrictEqual(normalize({ s: 'abcd', timestamp: T }, limits), [point('s', 'abcd')]);
    refuses({ s: 'abcde' }, 's', /longer than 4 characters/, limits);
  });

  it('refuses __proto__, constructor and prototype as field names, without touching any prototype', () => {
    refuses(JSON.parse('{"data":{"__proto__":{"polluted":1}}}'), 'data.__proto__', /not a valid field name/);
    refuses(JSON.parse('{"__proto__":1}'), '__proto__', /not a valid field name/);
    refuses({ data: { constructor: 1 } }, 'data.constructor', /not a valid field name/);
    refuses({ prototype: 'x' }, 'prototype', /not a valid field name/);
    assert.strictEqual(({} as Record<string, unknown>).polluted, undefined);
  });

  it('refuses bad field names and accepts good ones', () => {
    for (const bad of ['', 'a b', '-lead', '.dot', 'temp/1', 'température', 'a'.repeat(129), 'x\u0000']) {
      assert.strictEqual(isValidFieldName(bad), false, JSON.stringify(bad));
    }
    for (const good of ['a', 'A1', '_x', '0', 'energy_usage', 'phase.L1:power-avg', 'a'.repeat(128)]) {
      assert.strictEqual(isValidFieldName(good), true, good);
    }
    refuses({ data: { 'a b': 1 } }, 'data.a b', /not a valid field name/);
    refuses({ [`${'x'.repeat(100)} `]: 1 }, 'x'.repeat(64), /not a valid field name/);
  });

  it('names the exact path of the bad member inside an array', () => {
    const body = [{ data: { temperature: 20 } }, { data: { humidity: 40, temperature: null } }];
    refuses(body, '[1].data.temperature', /^\[1\]\.data\.temperature: must not be null$/);
    refuses([{ a: 1 }, { a: 1, b: {} }], '[1].b', /must be a number, boolean or string/);
    refuses([{ a: 1 }, { a: 1, metadata: 'x' }], '[1].metadata', /must be an object/);
  });
});

describe('normalizeTelemetry: structure and limits', () => {
  it('refuses bodies that are not objects or arrays of objects', () => {
    refuses(42, '(body)', /must be an object/);
    refuses('text', '(body)', /must be an object/);
    refuses(null, '(body)', /must be an object/);
    refuses([{ a: 1 }, 7], '[1]', /must be an object/);
    refuses([[{ a: 1 }]], '[0]', /must be an object/);
    refuses({ data: [1, 2] }, 'data', /must be an object of fields/);
    refuses({ data: 5 }, 'data', /must be an object of fields/);
    refuses({ data: null }, 'data', /must be an object of fields/);
  });

  it('refuses empty objects and arrays', () => {
    refuses({}, '(body)', /contains no fields/);
    refuses([], '(body)', /is an empty array/);
    refuses({ data: {} }, 'data', /contains no fields/);
    refuses({ timestamp: T, metadata: { a: 1 } }, '(body)', /contains no fields/);
    refuses([{ a: 1 }, {}], '[1]', /contains no fields/);
    refuses([{ a: 1 }, { data: {} }], '[1].data', /contains no fields/);
  });

  it('refuses metadata that is not an object or is too large', () => {
    refuses({ a: 1, metadata: [1] }, 'metadata', /must be an object/);
    refuses({ a: 1, metadata: 'x' }, 'metadata', /must be an object/);
    const limits = { ...DEFAULT_LIMITS, maxMetadataBytes: 16 };
    assert.deepStrictEqual(normalize({ a: 1, metadata: { k: 'vvvvvvvv' }, timestamp: T }, limits), [point('a', 1, T, '{"k":"vvvvvvvv"}')]);
    refuses({ a: 1, metadata: { k: 'vvvvvvvvv' } }, 'metadata', /larger than 16 bytes/, limits);
    refuses({ a: 1, metadata: { k: 'üüüüüüü' } }, 'metadata', /larger than 16 bytes/, limits);
  });

  it('takes up to maxPoints points and refuses one more, over fields and messages alike', () => {
    const limits = { ...DEFAULT_LIMITS, maxPoints: 3 };
    assert.strictEqual(normalize({ a: 1, b: 2, c: 3 }, limits).length, 3);
    assert.strictEqual(normalize([{ a: 1, b: 2 }, { a: 3 }], limits).length, 3);
    refuses({ a: 1, b: 2, c: 3, d: 4 }, '(body)', /more than 3 points in one request/, limits);
    refuses([{ a: 1, b: 2 }, { a: 3, b: 4 }], '[1]', /more than 3 points in one request/, limits);
    refuses([{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }], '(body)', /more than 3 messages in one request/, limits);
  });
});

// The chunk codec: exact round trips of edge cases and of thousands of seeded random chunks, damaged
// bytes refused with ChunkFormatError, and the size of a day of 10-second meter readings.
import { seededRng } from '../../src/simulator/rng.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brotliCompressSync } from 'node:zlib';
import type { PointValue } from '../../src/domain/telemetry.ts';
import {
  type ChunkColumns,
  ChunkFormatError,
  decodeChunk,
  decodeChunkTimestamps,
  encodeChunk,
} from '../../src/storage/chunks/chunk-codec.ts';

const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z, a fixed instant
const DAY_OF_10S = 8640;

function roundTrip(c: ChunkColumns): Buffer {
  const bytes = encodeChunk(c);
  assert.deepStrictEqual(decodeChunk(bytes), c);
  assert.deepStrictEqual(decodeChunkTimestamps(bytes), c.ts);
  return bytes;
}

function series(values: PointValue[], meta: Array<string | null> = values.map(() => null)): ChunkColumns {
  return { ts: values.map((_, i) => T0 + i * 10_000), values, meta };
}

/** A seeded PRNG (the simulator's), so every run tests the same chunks. */
const prng = seededRng;

describe('chunk codec round trips', () => {
  it('keeps an empty chunk and a single point', () => {
    roundTrip({ ts: [], values: [], meta: [] });
    roundTrip({ ts: [T0], values: [42], meta: [null] });
    roundTrip({ ts: [0], values: [''], meta: ['{}'] });
  });

  it('keeps every awkward float exactly', () => {
    const floats = [
      0, -0, 5e-324, -5e-324, 2.2250738585072009e-308, Number.MIN_VALUE, 1e308, -1e308, Number.MAX_VALUE,
      0.1 + 0.2, 0.1, 1 / 3, Math.PI, 2 ** 32 + 1, -(2 ** 40) - 7, Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER, 2 ** 53, 2 ** 53 + 2, 1e21, 123456.7890123, 1e-7, NaN, Infinity, -Infinity,
    ];
    roundTrip(series(floats));
    for (const f of floats) roundTrip(series([f, f, 1.5, f]));
  });

  it('keeps -0 among decimals, and integers beyond 2^32 in the decimal form', () => {
    roundTrip(series([230.4, -0, 230.5]));
    roundTrip(series([0, -0, 0]));
    roundTrip(series([4_294_967_297, 4_294_967_296_123, -(2 ** 52)]));
    roundTrip(series([0.000001, 123456.654321, -9_007_199_254.74099]));
  });

  it('keeps timestamps of any safe integer, regular or not', () => {
    const values = [1, 2, 3, 4];
    roundTrip({ ts: [Number.MIN_SAFE_INTEGER, -1, 0, Number.MAX_SAFE_INTEGER], values, meta: [null, null, null, null] });
    roundTrip({ ts: [-5000, -3000, 7, 2 ** 52], values, meta: [null, null, null, null] });
    roundTrip({ ts: [T0, T0 + 1, T0 + 86_400_000, T0 + 86_400_001], values, meta: [null, null, null, null] });
    roundTrip({ ts: [T0, T0 + 10_000, T0 + 20_000, T0 + 20_001], values, meta: [null, null, null, null] });
  });

  it('keeps a field that changes type inside a chunk', () => {
    roundTrip(series([1.5, true, 'on', 2, false, false, '', 'on', 3.25, true]));
    roundTrip(series([true, true, false, true]));
    roundTrip(series(['a', 'a', 'b', 'a']));
  });

  it('keeps empty, unicode, long and ill-formed strings', () => {
    const long = 'x'.repeat(100_000) + '✓';
    roundTrip(series(['', 'ünïcödé', '温度', '🌡️🔥', 'e\u0301', long, '\ud800', 'a\udc00b', '', '\ufeffstarts with a BOM', '\ufeff\ud800']));
    roundTrip(series([1, 2], ['{"site":"Zürich 🏔"}', '\ud83d']));
  });

  it('keeps metadata that is null, one repeated text, or varied', () => {
    roundTrip(series([1, 2, 3, 4], [null, null, null, null]));
    roundTrip(series([1, 2, 3, 4], ['{"fw":"1.2"}', '{"fw":"1.2"}', '{"fw":"1.2"}', '{"fw":"1.2"}']));
    roundTrip(series([1, 2, 3, 4], [null, '{"a":1}', '', '{"a":1}']));
  });

  it('keeps thousands of random chunks exactly', () => {
    const random = prng(0x5eed);
    const int = (n: number) => Math.floor(random() * n);
    const pattern = new DataView(new ArrayBuffer(8));
    const texts = ['', 'on', 'off', 'ok', 'Grüße', '🌡️', '\ufeffBOM', 'a longer status text with spaces'];
    const codeUnits = [0x7f, 0x800, 0x10000]; // ASCII, then up to 2-byte UTF-8, then any UTF-16 unit (lone surrogates too)
    const randomText = () =>
      String.fromCharCode(...Array.from({ length: int(12) }, () => int(codeUnits[int(codeUnits.length)]!)));
    const randomBits = () => {
      pattern.setUint32(0, int(2 ** 32));
      pattern.setUint32(4, int(2 ** 32));
      return pattern.getFloat64(0);
    };
    const numberKinds = [
      randomBits,
      () => Math.round((random() - 0.5) * 10 ** (1 + int(9))) / 10 ** int(7),
      () => int(2 ** 53) - 2 ** 52,
      () => (random() - 0.5) * 10 ** (int(40) - 20),
    ];
    for (let chunk = 0; chunk < 3000; chunk++) {
      const n = chunk % 50 === 0 ? int(3000) : int(40);
      const kinds = int(4); // 0 numbers only, 1 booleans only, 2 strings only, 3 mixed
      const numberKind = numberKinds[int(numberKinds.length)]!;
      const gap = [() => 10_000, () => 10_000 + int(7) - 3, () => 1 + int(2 ** 31), () => 1 + int(2 ** 45)][int(4)]!;
      const metaKind = int(3);
      const ts: number[] = [];
      const values: PointValue[] = [];
      const meta: Array<string | null> = [];
      let t = int(2 ** 50) - 2 ** 49;
      for (let i = 0; i < n; i++) {
        ts.push(t);
        t += gap();
        const kind = kinds === 3 ? int(3) : kinds;
        values.push(kind === 0 ? numberKind() : kind === 1 ? random() < 0.5 : random() < 0.1 ? randomText() : texts[int(texts.length)]!);
        meta.push(metaKind === 0 ? null : metaKind === 1 ? '{"unit":"W"}' : random() < 0.5 ? null : `{"seq":${int(5)}}`);
      }
      const c = { ts, values, meta };
      const bytes = encodeChunk(c);
      assert.deepStrictEqual(decodeChunk(bytes), c, `chunk ${chunk}`);
      assert.deepStrictEqual(decodeChunkTimestamps(bytes), ts, `chunk ${chunk}`);
    }
  });
});

describe('chunk codec compression stage', () => {
  it('deflates a timestamp section of jittered readings, and leaves a tiny chunk as is', () => {
    const values = Array.from({ length: 2000 }, (_, i) => i % 7);
    const jittered = roundTrip({ ts: values.map((_, i) => T0 + i * 10_000 + ((i * 7) % 5)), values, meta: values.map(() => null) });
    assert.equal(jittered[1]! & 3, 1, 'timestamp section deflated');
    assert.equal(roundTrip(series([230.4, 230.5, 230.3]))[1], 0, 'tiny chunk stored as is');
  });

  it('reads a body section compressed with brotli', () => {
    const c = series([1.5, true, 'on', 2], ['{"a":1}', null, null, null]);
    const plain = encodeChunk(c);
    assert.equal(plain[1], 0);
    // version, flags, count and timestamp length each fit in one byte for so small a chunk
    const bodyStart = 4 + plain[3]!;
    const body = plain.subarray(bodyStart);
    const brotli = Buffer.concat([
      Buffer.from([plain[0]!, 2 << 2, plain[2]!, plain[3]!]),
      plain.subarray(4, bodyStart),
      Buffer.from([body.length]),
      brotliCompressSync(body),
    ]);
    assert.deepStrictEqual(decodeChunk(brotli), c);
  });
});

describe('chunk codec refusals', () => {
  it('refuses columns of different lengths and values of other types', () => {
    assert.throws(() => encodeChunk({ ts: [1, 2], values: [1], meta: [null, null] }), RangeError);
    assert.throws(() => encodeChunk({ ts: [1], values: [null as unknown as number], meta: [null] }), TypeError);
  });

  it('refuses an unknown version and every truncation with ChunkFormatError', () => {
    const c = series(Array.from({ length: 500 }, (_, i) => (i % 3 === 0 ? Math.sin(i) : i % 3 === 1 ? 'on' : true)));
    const bytes = encodeChunk(c);
    const future = Buffer.from(bytes);
    future[0] = 99;
    assert.throws(() => decodeChunk(future), ChunkFormatError);
    for (let end = 0; end < bytes.length; end++) {
      assert.throws(() => decodeChunk(bytes.subarray(0, end)), ChunkFormatError, `truncated at ${end}`);
    }
  });

  it('decodes damaged bytes to columns or refuses them with ChunkFormatError, never anything else', () => {
    const random = prng(7);
    const sources = [
      encodeChunk(series(Array.from({ length: 300 }, (_, i) => Math.round(i * 1.7) / 10))),
      encodeChunk(series([1.5, true, 'on', 2, false, 'x', 0.1 + 0.2], ['m', null, 'm', 'n', null, null, 'm'])),
      encodeChunk(series(Array.from({ length: 2000 }, (_, i) => Math.sin(i)))),
    ];
    for (let k = 0; k < 3000; k++) {
      const damaged = Buffer.from(sources[k % sources.length]!);
      const flips = 1 + Math.floor(random() * 3);
      for (let f = 0; f < flips; f++) damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
      try {
        const out = decodeChunk(damaged);
        assert.equal(out.values.length, out.ts.length);
        assert.equal(out.meta.length, out.ts.length);
      } catch (err) {
        assert.ok(err instanceof ChunkFormatError, `damage ${k}: ${String(err)}`);
      }
    }
  });
});

describe('chunk codec size', () => {
  it('stores a day of 10-second meter readings in under 2 bytes a point per field', () => {
    const random = prng(230);
    const power: number[] = [];
    const voltage: number[] = [];
    const current: number[] = [];
    for (let i = 0; i < DAY_OF_10S; i++) {
      const p = Math.round((1200 + 600 * Math.sin((2 * Math.PI * i) / DAY_OF_10S) + 40 * Math.sin(i / 7)) * 10) / 10;
      const v = Math.round((230 + 4 * Math.sin(i / 500) + (random() - 0.5)) * 10) / 10;
      power.push(p);
      voltage.push(v);
      current.push(Math.round((p / v) * 100) / 100);
    }
    for (const [field, values] of [['power', power], ['voltage', voltage], ['current', current]] as const) {
      const c = series(values);
      const rounds = 30;
      let bytes = encodeChunk(c);
      let encodeMs = Infinity;
      for (let k = 0; k < rounds; k++) {
        const start = process.hrtime.bigint();
        bytes = encodeChunk(c);
        encodeMs = Math.min(encodeMs, Number(process.hrtime.bigint() - start) / 1e6);
      }
      let decoded = decodeChunk(bytes);
      for (let k = 0; k < rounds; k++) decoded = decodeChunk(bytes); // warm-up: the figure is the compiled code's
      let decodeMs = Infinity;
      for (let k = 0; k < rounds; k++) {
        const start = process.hrtime.bigint();
        decoded = decodeChunk(bytes);
        decodeMs = Math.min(decodeMs, Number(process.hrtime.bigint() - start) / 1e6);
      }
      assert.deepStrictEqual(decoded, c);
      const perPoint = bytes.length / DAY_OF_10S;
      console.log(
        `${field}: ${bytes.length} bytes, ${perPoint.toFixed(3)} bytes/point; ` +
          `encode ${encodeMs.toFixed(3)} ms, decode ${decodeMs.toFixed(3)} ms (best of ${rounds})`,
      );
      assert.ok(perPoint < 2, `${field} takes ${perPoint} bytes a point`);
    }
  });
});

describe('chunk codec cost of a group commit', () => {
  it('prints the size and encode time of a 3-point chunk', () => {
    const c = series([230.4, 230.5, 230.3]);
    const rounds = 10_000;
    let bytes = encodeChunk(c);
    for (let k = 0; k < rounds; k++) bytes = encodeChunk(c); // warm-up
    const start = process.hrtime.bigint();
    for (let k = 0; k < rounds; k++) bytes = encodeChunk(c);
    const encodeUs = Number(process.hrtime.bigint() - start) / 1e3 / rounds;
    assert.deepStrictEqual(decodeChunk(bytes), c);
    console.log(`3 points: ${bytes.length} bytes, encode ${encodeUs.toFixed(2)} µs (mean of ${rounds})`);
  });
});

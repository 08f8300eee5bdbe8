// The chunk codec: one run of points of ONE series (one device, one field) as one compact BLOB, the
// same bytes in SQLite and PostgreSQL. Pure, no I/O. Columnar: timestamps as delta-of-delta varints,
// numbers as scaled decimal deltas or XORed float patterns (number-column.ts), booleans, strings and
// metadata run-length coded, then a general-purpose stage from node:zlib where it makes a section
// smaller. No npm package is used for the Gorilla-style float coding: none is maintained, and
// node:zlib is the well-kept compression library at hand.
//
// Layout, version 1:
//   byte     FORMAT_VERSION
//   byte     flags: bits 0-1 how the timestamp section is stored, bits 2-3 the body section
//            (0 as is, 1 deflate-raw, 2 brotli); a compressed section starts with its plain length
//   uvarint  point count
//   uvarint  stored length of the timestamp section
//   bytes    timestamp section (timestamp-column.ts), apart so timestamps decode without the rest
//   bytes    body section, to the end: value type runs (0 number, 1 boolean, 2 string), then the
//            numbers, the booleans as runs of 0/1 and the strings, each only when present, then meta
//
// The encoder writes deflate-raw only. Brotli is read so that a later writer (a compaction job, say)
// may choose it: on a day of 10-second meter readings brotli at quality 11 is about 30% smaller
// than deflate but takes ~9 ms a chunk against ~0.3 ms, too slow for the per-commit path.
import { constants } from 'node:buffer';
import { brotliDecompressSync, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { PointValue } from '../../domain/telemetry.ts';
import { ByteReader, ByteWriter, ChunkFormatError } from './chunk-bytes.ts';
import { readNumbers, writeNumbers } from './number-column.ts';
import { readRuns, readTexts, writeRuns, writeTexts } from './symbol-runs.ts';
import { readTimestamps, writeTimestamps } from './timestamp-column.ts';

export { ChunkFormatError };

export interface ChunkColumns {
  /** UTC ms integers, strictly ascending (the caller guarantees it). */
  ts: number[];
  values: PointValue[];
  /** JSON text of the message metadata, or null. */
  meta: Array<string | null>;
}

export const FORMAT_VERSION = 1;
/** Bounds what a damaged count can make the decoder allocate; real chunks hold thousands. */
export const MAX_CHUNK_POINTS = 1 << 20;
/** Below this many bytes deflate saves a few bytes at best, for ~15 µs a call (a whole 3-point encode is ~1 µs). */
const MIN_COMPRESSIBLE_BYTES = 64;

const STORED = 0;
const DEFLATE_RAW = 1;
const BROTLI = 2;

const NUMBER = 0;
const BOOLEAN = 1;
const STRING = 2;

const tsSection = new ByteWriter(256);
const body = new ByteWriter(1024);

interface Packed {
  method: number;
  bytes: Uint8Array;
}

function pack(plain: Uint8Array, compress: boolean): Packed {
  if (!compress || plain.length < MIN_COMPRESSIBLE_BYTES) return { method: STORED, bytes: plain };
  const deflated = deflateRawSync(plain);
  const header = new ByteWriter(8);
  header.uvarint(plain.length);
  if (header.pos + deflated.length >= plain.length) return { method: STORED, bytes: plain };
  header.bytes(deflated);
  return { method: DEFLATE_RAW, bytes: header.view() };
}

function unpack(method: number, stored: Uint8Array): Uint8Array {
  if (method === STORED) return stored;
  const r = new ByteReader(stored);
  const length = r.count(constants.MAX_LENGTH, 'section length');
  const compressed = stored.subarray(r.pos);
  let plain: Uint8Array;
  try {
    const options = { maxOutputLength: Math.max(length, 1) };
    if (method === DEFLATE_RAW) plain = inflateRawSync(compressed, options);
    else if (method === BROTLI) plain = brotliDecompressSync(compressed, options);
    else throw new ChunkFormatError(`unknown compression ${method}`);
  } catch (err) {
    if (err instanceof ChunkFormatError) throw err;
    throw new ChunkFormatError(`compressed section is damaged (${(err as Error).message})`);
  }
  if (plain.length !== length) throw new ChunkFormatError('compressed section has the wrong length');
  return plain;
}

function writeBody(w: ByteWriter, c: ChunkColumns): void {
  const n = c.values.length;
  const types = new Uint8Array(n);
  const numbers: number[] = [];
  const booleans: number[] = [];
  const strings: string[] = [];
  for (let i = 0; i < n; i++) {
    const v = c.values[i];
    if (typeof v === 'number') numbers.push(v);
    else if (typeof v === 'boolean') {
      types[i] = BOOLEAN;
      booleans.push(v ? 1 : 0);
    } else if (typeof v === 'string') {
      types[i] = STRING;
      strings.push(v);
    } else throw new TypeError(`chunk value ${i} is ${typeof v}, not a number, boolean or string`);
  }
  writeRuns(w, types);
  if (numbers.length > 0) writeNumbers(w, numbers);
  if (booleans.length > 0) writeRuns(w, booleans);
  if (strings.length > 0) writeTexts(w, strings);
  writeTexts(w, c.meta);
}

/** `compress` false skips the deflate stage: for a small chunk rewritten soon (a group commit's tail). */
export function encodeChunk(c: ChunkColumns, compress = true): Buffer {
  const n = c.ts.length;
  if (c.values.length !== n || c.meta.length !== n) {
    throw new RangeError(`chunk columns differ in length (ts ${n}, values ${c.values.length}, meta ${c.meta.length})`);
  }
  if (n > MAX_CHUNK_POINTS) throw new RangeError(`a chunk holds at most ${MAX_CHUNK_POINTS} points, not ${n}`);
  tsSection.reset();
  writeTimestamps(tsSection, c.ts);
  body.reset();
  writeBody(body, c);
  const ts = pack(tsSection.view(), compress);
  const rest = pack(body.view(), compress);
  const header = new ByteWriter(24);
  header.byte(FORMAT_VERSION);
  header.byte(ts.method | (rest.method << 2));
  header.uvarint(n);
  header.uvarint(ts.bytes.length);
  const out = Buffer.allocUnsafe(header.pos + ts.bytes.length + rest.bytes.length);
  out.set(header.view(), 0);
  out.set(ts.bytes, header.pos);
  out.set(rest.bytes, header.pos + ts.bytes.length);
  return out;
}

interface Header {
  flags: number;
  n: number;
  tsStored: Uint8Array;
  bodyStart: number;
}

function readHeader(b: Uint8Array): Header {
  const r = new ByteReader(b);
  const version = r.byte();
  if (version !== FORMAT_VERSION) throw new ChunkFormatError(`unknown format version ${version}`);
  const flags = r.byte();
  if (flags > 0x0f) throw new ChunkFormatError(`unknown flags ${flags}`);
  const n = r.count(MAX_CHUNK_POINTS, 'point count');
  const tsStored = r.bytes(r.uvarint());
  return { flags, n, tsStored, bodyStart: r.pos };
}

function decodeTimestamps(h: Header): number[] {
  const r = new ByteReader(unpack(h.flags & 3, h.tsStored));
  const ts = readTimestamps(r, h.n);
  if (r.pos !== r.end) throw new ChunkFormatError('trailing bytes after the timestamps');
  return ts;
}

export function decodeChunkTimestamps(b: Uint8Array): number[] {
  return decodeTimestamps(readHeader(b));
}

export function decodeChunk(b: Uint8Array): ChunkColumns {
  const h = readHeader(b);
  const ts = decodeTimestamps(h);
  const r = new ByteReader(unpack((h.flags >> 2) & 3, b.subarray(h.bodyStart)));
  const n = h.n;
  const types = readRuns(r, n, 3);
  let numberCount = 0;
  let booleanCount = 0;
  for (let i = 0; i < n; i++) {
    if (types[i] === NUMBER) numberCount++;
    else if (types[i] === BOOLEAN) booleanCount++;
  }
  const stringCount = n - numberCount - booleanCount;
  const numbers = numberCount > 0 ? readNumbers(r, numberCount) : [];
  const booleans = booleanCount > 0 ? readRuns(r, booleanCount, 2) : undefined;
  const strings = stringCount > 0 ? readTexts(r, stringCount) : [];
  if (strings.includes(null)) throw new ChunkFormatError('a string value is null');
  const meta = readTexts(r, n);
  if (r.pos !== r.end) throw new ChunkFormatError('trailing bytes after the metadata');
  if (numberCount === n) return { ts, values: numbers, meta };
  const values = new Array<PointValue>(n);
  let ni = 0;
  let bi = 0;
  let si = 0;
  for (let i = 0; i < n; i++) {
    const type = types[i];
    if (type === NUMBER) values[i] = numbers[ni++]!;
    else if (type === BOOLEAN) values[i] = booleans![bi++] === 1;
    else values[i] = strings[si++]!;
  }
  return { ts, values, meta };
}

// The numbers of a chunk, in one of two encodings chosen per chunk:
// - DECIMAL: every number is an exact decimal with at most MAX_DECIMALS digits after the point
//   (checked by round trip: v === Math.round(v * 10^d) / 10^d), so the chunk stores the scaled
//   integers as zigzag varint deltas (meter readings like 230.4 or 5.43 cost about a byte each);
// - XOR: the 64-bit pattern of each number XORed with the previous one, kept as a control byte
//   (leading and trailing zero bytes) plus the bytes between. Measured against Gorilla's bit-level
//   packing on 8,640-point non-decimal series (noisy sensor, smooth sine, accumulated float sums,
//   random bit patterns), Gorilla alone is smaller (e.g. 6.8 vs 7.0 bytes/point) but after the chunk's
//   deflate stage the byte-aligned form wins on every set (6.1 vs 6.7, 2.0 vs 2.4 bytes/point), and it
//   is simpler and faster, so it is the one kept.
import { type ByteReader, ByteWriter, ChunkFormatError } from './chunk-bytes.ts';

const DECIMAL = 0;
const XOR = 1;
export const MAX_DECIMALS = 6;
const POWERS = [1, 10, 100, 1e3, 1e4, 1e5, 1e6];

const float = new Float64Array(1);
const halves = new Uint32Array(float.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = LITTLE_ENDIAN ? 0 : 1;

const payload = new ByteWriter(256);

/** The fewest decimals (up to MAX_DECIMALS) that hold every number exactly, or -1. */
function decimalsOf(values: number[]): number {
  let d = 0;
  for (const v of values) {
    if (v === 0 && 1 / v < 0) return -1; // -0 would come back as 0
    for (;;) {
      const p = POWERS[d]!;
      const scaled = Math.round(v * p);
      if (scaled / p === v && Number.isSafeInteger(scaled)) break;
      if (++d > MAX_DECIMALS) return -1;
    }
  }
  return d;
}

/** Writes the scaled integers, or returns false (writing nothing) when one is not exact at `d`. */
function tryWriteDecimal(w: ByteWriter, values: number[], d: number): boolean {
  const start = w.pos;
  const p = POWERS[d]!;
  w.byte(DECIMAL);
  w.byte(d);
  let prev = 0;
  for (const v of values) {
    const scaled = Math.round(v * p);
    const delta = scaled - prev;
    if (scaled / p !== v || !Number.isSafeInteger(scaled) || !Number.isSafeInteger(delta)) {
      w.pos = start;
      return false;
    }
    w.svarint(delta);
    prev = scaled;
  }
  return true;
}

function writeXor(w: ByteWriter, values: number[]): void {
  w.byte(XOR);
  w.ensure(values.length);
  payload.reset();
  let prevHi = 0;
  let prevLo = 0;
  for (const v of values) {
    float[0] = v;
    const hi = halves[HI]!;
    const lo = halves[LO]!;
    const xh = (hi ^ prevHi) >>> 0;
    const xl = (lo ^ prevLo) >>> 0;
    prevHi = hi;
    prevLo = lo;
    if (xh === 0 && xl === 0) {
      w.buf[w.pos++] = 0x80;
      continue;
    }
    // Byte k of the pattern counts from the most significant: 0-3 in the high half, 4-7 in the low.
    const lead = xh !== 0 ? Math.clz32(xh) >> 3 : 4 + (Math.clz32(xl) >> 3);
    const trail = xl !== 0 ? (31 - Math.clz32(xl & -xl)) >> 3 : 4 + ((31 - Math.clz32(xh & -xh)) >> 3);
    w.buf[w.pos++] = (lead << 4) | trail;
    payload.ensure(8);
    const out = payload.buf;
    let pos = payload.pos;
    for (let k = lead; k < 8 - trail; k++) {
      out[pos++] = k < 4 ? xh >>> (24 - 8 * k) : xl >>> (56 - 8 * k);
    }
    payload.pos = pos;
  }
  w.bytes(payload.view());
}

export function writeNumbers(w: ByteWriter, values: number[]): void {
  const d = decimalsOf(values);
  if (d >= 0 && tryWriteDecimal(w, values, d)) return;
  writeXor(w, values);
}

function readDecimal(r: ByteReader, n: number): number[] {
  const d = r.byte();
  if (d > MAX_DECIMALS) throw new ChunkFormatError(`decimal scale ${d} out of range`);
  const p = POWERS[d]!;
  const out = new Array<number>(n);
  let scaled = 0;
  for (let i = 0; i < n; i++) {
    scaled += r.svarint();
    out[i] = d === 0 ? scaled : scaled / p;
  }
  return out;
}

function readXor(r: ByteReader, n: number): number[] {
  const controls = r.bytes(n);
  const buf = r.buf;
  const end = r.end;
  let pos = r.pos;
  const out = new Array<number>(n);
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < n; i++) {
    const control = controls[i]!;
    if (control !== 0x80) {
      const lead = control >> 4;
      const trail = control & 0x0f;
      if (lead + trail >= 8) throw new ChunkFormatError(`bad number control byte ${control}`);
      if (pos + 8 - lead - trail > end) throw new ChunkFormatError('unexpected end of data');
      let xh = 0;
      let xl = 0;
      for (let k = lead; k < 8 - trail; k++) {
        const b = buf[pos++]!;
        if (k < 4) xh |= b << (24 - 8 * k);
        else xl |= b << (56 - 8 * k);
      }
      hi ^= xh;
      lo ^= xl;
    }
    halves[HI] = hi;
    halves[LO] = lo;
    out[i] = float[0]!;
  }
  r.pos = pos;
  return out;
}

export function readNumbers(r: ByteReader, n: number): number[] {
  const mode = r.byte();
  if (mode === DECIMAL) return readDecimal(r, n);
  if (mode === XOR) return readXor(r, n);
  throw new ChunkFormatError(`unknown number encoding ${mode}`);
}

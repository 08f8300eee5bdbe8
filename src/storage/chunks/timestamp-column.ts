// The timestamp column of a chunk. Normally delta-of-delta: the first timestamp, the first delta,
// then each change of delta as a zigzag varint, where a 0 is followed by the count of further 0s,
// so a steady cadence (a reading every 10 s) costs a few bytes for the whole chunk. Timestamps that
// are not all safe integers with safe deltas (never for real epoch ms, which callers guarantee) are
// kept as raw float64s instead, so any input still comes back exactly.
import { type ByteReader, type ByteWriter, ChunkFormatError } from './chunk-bytes.ts';

const DELTA_OF_DELTA = 0;
const RAW_FLOAT64 = 1;

const scratch = new DataView(new ArrayBuffer(8));
const scratchBytes = new Uint8Array(scratch.buffer);

function deltasOfDeltasAreSafe(ts: number[]): boolean {
  let prevDelta = 0;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    if (!Number.isSafeInteger(t)) return false;
    if (i === 0) continue;
    const delta = t - ts[i - 1]!;
    if (!Number.isSafeInteger(delta) || !Number.isSafeInteger(delta - prevDelta)) return false;
    prevDelta = delta;
  }
  return true;
}

export function writeTimestamps(w: ByteWriter, ts: number[]): void {
  if (ts.length === 0) return;
  if (!deltasOfDeltasAreSafe(ts)) {
    w.byte(RAW_FLOAT64);
    for (const t of ts) {
      scratch.setFloat64(0, t, true);
      w.bytes(scratchBytes);
    }
    return;
  }
  w.byte(DELTA_OF_DELTA);
  w.svarint(ts[0]!);
  let prev = ts[0]!;
  let prevDelta = 0;
  let zeros = 0;
  for (let i = 1; i < ts.length; i++) {
    const t = ts[i]!;
    const delta = t - prev;
    const dod = delta - prevDelta;
    prev = t;
    prevDelta = delta;
    if (dod === 0 && i > 1) {
      zeros++;
      continue;
    }
    if (zeros > 0) {
      w.byte(0);
      w.uvarint(zeros - 1);
      zeros = 0;
    }
    w.svarint(dod);
  }
  if (zeros > 0) {
    w.byte(0);
    w.uvarint(zeros - 1);
  }
}

export function readTimestamps(r: ByteReader, n: number): number[] {
  const ts = new Array<number>(n);
  if (n === 0) return ts;
  const mode = r.byte();
  if (mode === RAW_FLOAT64) {
    for (let i = 0; i < n; i++) {
      scratchBytes.set(r.bytes(8));
      ts[i] = scratch.getFloat64(0, true);
    }
    return ts;
  }
  if (mode !== DELTA_OF_DELTA) throw new ChunkFormatError(`unknown timestamp encoding ${mode}`);
  let t = r.svarint();
  ts[0] = t;
  let delta = 0;
  let i = 1;
  while (i < n) {
    const dod = r.svarint();
    if (dod === 0 && i > 1) {
      const run = r.uvarint() + 1;
      if (run > n - i) throw new ChunkFormatError('timestamp run exceeds the point count');
      for (let k = 0; k < run; k++) {
        t += delta;
        ts[i++] = t;
      }
      continue;
    }
    delta += dod;
    t += delta;
    ts[i++] = t;
  }
  return ts;
}

// Reading the chunk layout, shared by both adapters: each adapter supplies the two ordered index scans
// (ChunkSource) and these decode only the chunks a query needs, so a page of history costs about
// `limit` points per field however long the range.
import { type Acc, type RollupRow, addValue, mergeAcc } from '../../domain/rollup.ts';
import type { Point, PointValue } from '../../domain/telemetry.ts';
import { MINUTE } from '../../domain/time.ts';
import type { ChunkColumns } from './chunk-codec.ts';
import { decodeRow } from './decoded-chunk-cache.ts';
import { CHUNK_WINDOW_MS, type ChunkRow, windowStart } from './chunk-layout.ts';

const PAGE = 8;
const FAR_PAST = Number.MIN_SAFE_INTEGER;

export interface ChunkSource {
  /** Chunks of a series with afterStart < start_ts < beforeStart, by start_ts ascending, at most `limit`. */
  byStartAsc(deviceId: string, field: string, afterStart: number, beforeStart: number, limit: number): Promise<ChunkRow[]>;
  /** Chunks of a series with afterStart < start_ts < beforeStart, by start_ts descending, at most `limit`. */
  byStartDesc(deviceId: string, field: string, afterStart: number, beforeStart: number, limit: number): Promise<ChunkRow[]>;
}

/** Index of the first ts >= t in ascending `ts`. */
function lowerBound(ts: readonly number[], t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function pointAt(deviceId: string, field: string, c: ChunkColumns, i: number): Point {
  return { deviceId, field, ts: c.ts[i]!, value: c.values[i] as PointValue, meta: c.meta[i] ?? null };
}

/** Up to `limit` points of a decoded chunk in [lower, upper), nearest the query's starting end first. */
function pointsIn(deviceId: string, field: string, c: ChunkColumns, lower: number, upper: number, order: 'asc' | 'desc', limit: number): Point[] {
  const from = lowerBound(c.ts, lower);
  const to = lowerBound(c.ts, upper);
  const out: Point[] = [];
  if (order === 'asc') for (let i = from; i < to && out.length < limit; i++) out.push(pointAt(deviceId, field, c, i));
  else for (let i = to - 1; i >= from && out.length < limit; i--) out.push(pointAt(deviceId, field, c, i));
  return out;
}

/** Keeps the `limit` first points in the query's order (sorts `have` in place). */
function keepFirst(have: Point[], order: 'asc' | 'desc', limit: number): Point[] {
  have.sort(order === 'asc' ? (a, b) => a.ts - b.ts : (a, b) => b.ts - a.ts);
  if (have.length > limit) have.length = limit;
  return have;
}

/** Up to `limit` points of one series with lower <= ts < upper, in `order`. */
export async function readChunkRange(
  source: ChunkSource,
  deviceId: string,
  field: string,
  lower: number,
  upper: number,
  order: 'asc' | 'desc',
  limit: number,
): Promise<Point[]> {
  let have: Point[] = [];
  if (limit <= 0 || lower >= upper) return have;
  // Chunks by start, both ways; a chunk ends inside the window it starts in (chunk-layout.ts), so
  // none starting at or before lower - window reaches the range. Ascending: none starting after the
  // limit-th point found can improve on it. Descending: none starting in an earlier window than one
  // that ends before that point can (later rows start no later, so they end no later than its window).
  const floor = Math.max(FAR_PAST, lower - CHUNK_WINDOW_MS);
  let bound = order === 'asc' ? floor : upper;
  for (;;) {
    const rows =
      order === 'asc'
        ? await source.byStartAsc(deviceId, field, bound, upper, PAGE)
        : await source.byStartDesc(deviceId, field, floor, bound, PAGE);
    for (const row of rows) {
      if (have.length >= limit) {
        have = keepFirst(have, order, limit);
        const kth = have[limit - 1]!.ts;
        if (order === 'asc' ? kth < row.startTs : kth >= windowStart(row.startTs) + CHUNK_WINDOW_MS) return have;
      }
      if (row.endTs < lower || row.startTs >= upper) continue;
      have.push(...pointsIn(deviceId, field, decodeRow(deviceId, field, row), lower, upper, order, limit));
    }
    if (rows.length < PAGE) break;
    bound = rows[rows.length - 1]!.startTs;
  }
  return keepFirst(have, order, limit);
}

/** Every chunk of a series that may hold a point in [lower, upper), decoded, oldest start first. */
export async function decodedChunks(source: ChunkSource, deviceId: string, field: string, lower: number, upper: number): Promise<ChunkColumns[]> {
  const out: ChunkColumns[] = [];
  let bound = Math.max(FAR_PAST, lower - CHUNK_WINDOW_MS);
  for (;;) {
    const rows = await source.byStartAsc(deviceId, field, bound, upper, 64);
    for (const row of rows) if (row.endTs >= lower) out.push(decodeRow(deviceId, field, row));
    if (rows.length < 64) return out;
    bound = rows[rows.length - 1]!.startTs;
  }
}

function accumulate(buckets: Map<number, Acc>, ts: number, v: number): void {
  const bucket = Math.floor(ts / MINUTE) * MINUTE;
  const a = buckets.get(bucket);
  if (a) addValue(a, ts, v);
  else buckets.set(bucket, { count: 1, sum: v, min: v, max: v, firstTs: ts, first: v, lastTs: ts, last: v });
}

/**
 * Minute rollups of a series computed from its chunks: the buckets starting in [start, end). Minute
 * rollups are not stored for chunked points (they would weigh as much as the points themselves).
 */
export async function minuteRollupsOfChunks(source: ChunkSource, deviceId: string, field: string, start: number, end: number): Promise<RollupRow[]> {
  const lo = Math.ceil(start / MINUTE) * MINUTE;
  const hi = Math.ceil(end / MINUTE) * MINUTE;
  if (lo >= hi) return [];
  return foldMinutes(await decodedChunks(source, deviceId, field, lo, hi), lo, hi);
}

/** Minute rollup rows of the number and boolean points of `chunks` with lo <= ts < hi, by bucket. */
export function foldMinutes(chunks: readonly ChunkColumns[], lo: number, hi: number): RollupRow[] {
  const buckets = new Map<number, Acc>();
  for (const c of chunks) {
    for (let i = lowerBound(c.ts, lo); i < c.ts.length && c.ts[i]! < hi; i++) {
      const v = c.values[i];
      if (typeof v === 'number') accumulate(buckets, c.ts[i]!, v);
      else if (typeof v === 'boolean') accumulate(buckets, c.ts[i]!, v ? 1 : 0);
    }
  }
  return [...buckets].map(([bucket, acc]) => ({ bucket, ...acc })).sort((a, b) => a.bucket - b.bucket);
}

/** Rows of two sources folded per bucket, ordered by bucket. */
export function mergeRollupRows(a: readonly RollupRow[], b: readonly RollupRow[]): RollupRow[] {
  if (b.length === 0) return [...a];
  if (a.length === 0) return [...b].sort((x, y) => x.bucket - y.bucket);
  const byBucket = new Map<number, RollupRow>();
  for (const r of [...a, ...b]) {
    const have = byBucket.get(r.bucket);
    if (have) mergeAcc(have, r);
    else byBucket.set(r.bucket, { ...r });
  }
  return [...byBucket.values()].sort((x, y) => x.bucket - y.bucket);
}

/** The ts of the newest number or boolean point (what rollups count) of a series before `before`. */
export async function newestRolledUpChunkPoint(source: ChunkSource, deviceId: string, field: string, before: number): Promise<number | undefined> {
  let upper = before;
  for (;;) {
    const page = await readChunkRange(source, deviceId, field, FAR_PAST, upper, 'desc', 256);
    const hit = page.find((p) => typeof p.value !== 'string');
    if (hit) return hit.ts;
    if (page.length < 256) return undefined;
    upper = page[page.length - 1]!.ts;
  }
}

// Rollups: count/sum/min/max/first/last of numeric and boolean values (booleans as 0/1) per device,
// field and bucket. The same accumulator pre-aggregates a write batch and combines stored rows.
import type { Point } from './telemetry.ts';
import { HOUR, MINUTE } from './time.ts';

export const AGGREGATIONS = ['mean', 'min', 'max', 'sum', 'count', 'first', 'last'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export type Granularity = 'minute' | 'hour';
export const GRANULARITY_MS: Record<Granularity, number> = { minute: MINUTE, hour: HOUR };

export interface Acc {
  count: number;
  sum: number;
  min: number;
  max: number;
  firstTs: number;
  first: number;
  lastTs: number;
  last: number;
}

/** A stored rollup row: the accumulator of one bucket. */
export interface RollupRow extends Acc {
  bucket: number;
}

export function accOf(ts: number, v: number): Acc {
  return { count: 1, sum: v, min: v, max: v, firstTs: ts, first: v, lastTs: ts, last: v };
}

/** Folds `b` into `a` (mutates and returns `a`). */
export function mergeAcc(a: Acc, b: Acc): Acc {
  a.count += b.count;
  a.sum += b.sum;
  if (b.min < a.min) a.min = b.min;
  if (b.max > a.max) a.max = b.max;
  if (b.firstTs < a.firstTs) {
    a.firstTs = b.firstTs;
    a.first = b.first;
  }
  if (b.lastTs >= a.lastTs) {
    a.lastTs = b.lastTs;
    a.last = b.last;
  }
  return a;
}

export function finishAcc(acc: Acc | undefined, aggregation: Aggregation): number | null {
  if (!acc || acc.count === 0) return aggregation === 'count' || aggregation === 'sum' ? 0 : null;
  switch (aggregation) {
    case 'mean':
      return acc.sum / acc.count;
    case 'min':
      return acc.min;
    case 'max':
      return acc.max;
    case 'sum':
      return acc.sum;
    case 'count':
      return acc.count;
    case 'first':
      return acc.first;
    case 'last':
      return acc.last;
  }
}

/** The numeric value a point contributes to rollups, or null for text. */
export function rollupValue(p: Point): number | null {
  if (typeof p.value === 'number') return p.value;
  if (typeof p.value === 'boolean') return p.value ? 1 : 0;
  return null;
}

export interface BatchRollup extends Acc {
  deviceId: string;
  field: string;
  bucket: number;
}

/** Pre-aggregates freshly inserted points into one accumulator per (device, field, bucket). */
export function rollupBatch(points: Iterable<Point>, granularity: Granularity): BatchRollup[] {
  const size = GRANULARITY_MS[granularity];
  // Per series, then per bucket number: one string key per point rather than one with the bucket
  // spelled out, and values folded in place (this runs for every point of every commit).
  const bySeries = new Map<string, Map<number, BatchRollup>>();
  const out: BatchRollup[] = [];
  for (const p of points) {
    const v = rollupValue(p);
    if (v === null) continue;
    const bucket = Math.floor(p.ts / size) * size;
    const seriesKey = `${p.deviceId}\u0000${p.field}`;
    let buckets = bySeries.get(seriesKey);
    if (!buckets) bySeries.set(seriesKey, (buckets = new Map()));
    const existing = buckets.get(bucket);
    if (existing) addValue(existing, p.ts, v);
    else {
      const created: BatchRollup = { deviceId: p.deviceId, field: p.field, bucket, ...accOf(p.ts, v) };
      buckets.set(bucket, created);
      out.push(created);
    }
  }
  return out;
}

/**
 * rollupBatch for points already grouped per series and time-ordered (a group commit's runs): one
 * pass per run, a new accumulator only where the bucket changes.
 */
export function rollupRuns(runs: Iterable<readonly Point[]>, granularity: Granularity): BatchRollup[] {
  const size = GRANULARITY_MS[granularity];
  const out: BatchRollup[] = [];
  for (const run of runs) {
    let current: BatchRollup | undefined;
    for (const p of run) {
      const v = rollupValue(p);
      if (v === null) continue;
      const bucket = Math.floor(p.ts / size) * size;
      if (current && current.bucket === bucket) addValue(current, p.ts, v);
      else out.push((current = { deviceId: p.deviceId, field: p.field, bucket, ...accOf(p.ts, v) }));
    }
  }
  return out;
}

/** Folds one value at `ts` into `a` (mergeAcc with accOf(ts, v), without the allocation). */
export function addValue(a: Acc, ts: number, v: number): void {
  a.count += 1;
  a.sum += v;
  if (v < a.min) a.min = v;
  if (v > a.max) a.max = v;
  if (ts < a.firstTs) {
    a.firstTs = ts;
    a.first = v;
  }
  if (ts >= a.lastTs) {
    a.lastTs = ts;
    a.last = v;
  }
}

/** Index of the bucket in `edges` (sorted starts plus a final end) holding `t`, or -1. */
export function bucketIndex(edges: readonly number[], t: number): number {
  let lo = 0;
  let hi = edges.length - 2;
  if (hi < 0 || t < edges[0]! || t >= edges[edges.length - 1]!) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (edges[mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export type CoverageSource = Granularity | 'raw';

export interface CoverageSegment {
  source: CoverageSource;
  start: number;
  end: number;
}

/**
 * Splits [start, end) into the coarsest pieces that rollups can serve: whole buckets of the first
 * granularity in the middle, finer granularities (then raw points) at the unaligned edges.
 */
export function planCoverage(start: number, end: number, granularities: readonly Granularity[]): CoverageSegment[] {
  if (start >= end) return [];
  const [coarsest, ...finer] = granularities;
  if (coarsest === undefined) return [{ source: 'raw', start, end }];
  const size = GRANULARITY_MS[coarsest];
  const a = Math.ceil(start / size) * size;
  const b = Math.floor(end / size) * size;
  if (a >= b) return planCoverage(start, end, finer);
  return [...planCoverage(start, a, finer), { source: coarsest, start: a, end: b }, ...planCoverage(b, end, finer)];
}

/** The coarsest rollup granularity whose buckets never straddle one of `edges`. */
export function granularitiesFor(edges: readonly number[]): Granularity[] {
  return edges.every((e) => e % HOUR === 0) ? ['hour', 'minute'] : ['minute'];
}

// A group commit's points, regrouped per series for the chunk layout: time-ordered, the first of two
// points with one timestamp kept (first write wins inside a batch as across batches).
import type { Point } from '../../domain/telemetry.ts';
import type { ChunkColumns } from './chunk-codec.ts';
import { MAX_CHUNK_POINTS, windowStart } from './chunk-layout.ts';

/** One map key per series (device, field). */
export const seriesKey = (deviceId: string, field: string) => `${deviceId}\u0000${field}`;

export interface SeriesRun {
  deviceId: string;
  field: string;
  /** Ascending by ts, one point per ts. */
  points: Point[];
}

/** The batch per series, in first-seen order; `duplicates` counts points dropped for a repeated ts. */
export function groupBySeries(points: readonly Point[]): { runs: SeriesRun[]; duplicates: number } {
  // Device, then field: two lookups per point instead of building a key string for each.
  const byDevice = new Map<string, Map<string, SeriesRun>>();
  const runs: SeriesRun[] = [];
  for (const p of points) {
    let fields = byDevice.get(p.deviceId);
    if (!fields) byDevice.set(p.deviceId, (fields = new Map()));
    let run = fields.get(p.field);
    if (!run) {
      fields.set(p.field, (run = { deviceId: p.deviceId, field: p.field, points: [] }));
      runs.push(run);
    }
    run.points.push(p);
  }
  let duplicates = 0;
  for (const run of runs) {
    const before = run.points.length;
    run.points = uniqueByTime(run.points);
    duplicates += before - run.points.length;
  }
  return { runs, duplicates };
}

/** Sorted by ts (stable, so the first of equal timestamps leads) with later repeats dropped. */
function uniqueByTime(points: Point[]): Point[] {
  let ordered = true;
  for (let i = 1; i < points.length; i++) if (points[i]!.ts <= points[i - 1]!.ts) ordered = false;
  if (ordered) return points;
  const sorted = points.slice().sort((a, b) => a.ts - b.ts);
  return sorted.filter((p, i) => i === 0 || p.ts !== sorted[i - 1]!.ts);
}

/** Time-ordered points of one series cut at window edges and at MAX_CHUNK_POINTS, as chunk columns. */
export function chunkColumnsOf(points: readonly Point[]): ChunkColumns[] {
  const out: ChunkColumns[] = [];
  let current: ChunkColumns | undefined;
  let currentWindow = Number.NaN;
  for (const p of points) {
    const w = windowStart(p.ts);
    if (!current || w !== currentWindow || current.ts.length >= MAX_CHUNK_POINTS) {
      out.push((current = { ts: [], values: [], meta: [] }));
      currentWindow = w;
    }
    current.ts.push(p.ts);
    current.values.push(p.value);
    current.meta.push(p.meta);
  }
  return out;
}

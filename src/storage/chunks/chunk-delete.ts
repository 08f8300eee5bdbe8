// Deleting a time range from a series' chunks, shared by both adapters: which chunks are rewritten
// without the range, and which points remain in the edge hours (the hour rollups of the hours the
// range touches are rebuilt from them).
import type { Point, PointValue } from '../../domain/telemetry.ts';
import { HOUR } from '../../domain/time.ts';
import { type ChunkColumns, decodeChunk } from './chunk-codec.ts';
import { filterColumns } from './chunk-merge.ts';

export interface StoredChunk {
  id: number | string;
  level: number;
  data: Uint8Array;
}

export interface ChunkCut {
  /** Chunks that held points of the range: delete each, then store `kept` (when not empty) at its level. */
  rewrites: Array<{ id: number | string; level: number; kept: ChunkColumns }>;
  /** Points left in [lo, start) and [end, hi). */
  rest: Point[];
  deleted: number;
}

/** The whole hours around [start, end): their rollups are rebuilt. */
export function touchedHours(start: number, end: number): { lo: number; hi: number } {
  return { lo: Math.floor(start / HOUR) * HOUR, hi: Math.ceil(end / HOUR) * HOUR };
}

function pointOf(deviceId: string, field: string, c: ChunkColumns, i: number): Point {
  return { deviceId, field, ts: c.ts[i]!, value: c.values[i] as PointValue, meta: c.meta[i] ?? null };
}

/** [start, end) cut out of the chunks of one series that may hold points of the hours [lo, hi). */
export function cutRange(deviceId: string, field: string, rows: readonly StoredChunk[], start: number, end: number): ChunkCut {
  const { lo, hi } = touchedHours(start, end);
  const cut: ChunkCut = { rewrites: [], rest: [], deleted: 0 };
  for (const row of rows) {
    const c = decodeChunk(row.data);
    c.ts.forEach((ts, i) => {
      if ((ts >= lo && ts < start) || (ts >= end && ts < hi)) cut.rest.push(pointOf(deviceId, field, c, i));
    });
    const { kept, removed } = filterColumns(c, (ts) => ts < start || ts >= end);
    if (removed === 0) continue;
    cut.deleted += removed;
    cut.rewrites.push({ id: row.id, level: row.level, kept });
  }
  return cut;
}

/** The newest point of the chunk with the greatest end of a series, which is the series' newest chunked point. */
export function newestPointOf(deviceId: string, field: string, data: Uint8Array): Point {
  const c = decodeChunk(data);
  return pointOf(deviceId, field, c, c.ts.length - 1);
}

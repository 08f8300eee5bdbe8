// The chunk layout shared by both adapters (DESIGN.md, "Storage layout"). Every chunk holds points of
// one series (device, field) inside one aligned time window, so a chunk's points all lie in
// [start_ts, start_ts + CHUNK_WINDOW_MS): range queries bound their index scans by it, and retention
// drops whole windows. A series never stores one timestamp twice, so start_ts and end_ts are each
// unique per series.
import { DAY, MINUTE } from '../../domain/time.ts';

export const CHUNK_WINDOW_MS = DAY;
/** A compacted chunk holds at most this many points; a busier window gets several. */
export const MAX_CHUNK_POINTS = 10_000;
/** A window is final (level 2) once it ended this long ago: late points after that cost a re-merge. */
export const WINDOW_GRACE_MS = 10 * MINUTE;

/** 0: one group commit's points of a series; 1: merged, window still open; 2: merged, window closed. */
export const CHUNK_LEVEL = { batch: 0, open: 1, final: 2 } as const;

export function windowStart(ts: number): number {
  return Math.floor(ts / CHUNK_WINDOW_MS) * CHUNK_WINDOW_MS;
}

/** A stored chunk, its payload still encoded. */
export interface ChunkRow {
  startTs: number;
  endTs: number;
  data: Uint8Array;
}

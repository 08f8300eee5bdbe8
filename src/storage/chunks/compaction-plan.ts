// What one compaction pass does with a series window, shared by both adapters. A closed window (ended
// more than WINDOW_GRACE_MS ago) is merged whole, once, into final chunks. An open one gathers its
// group-commit chunks into its newest merged chunk while that holds fewer than OPEN_CHUNK_POINTS, so
// a pass re-encodes at most that many points per busy series, not its whole day so far.
import { CHUNK_LEVEL, CHUNK_WINDOW_MS, WINDOW_GRACE_MS, windowStart } from './chunk-layout.ts';

export const OPEN_CHUNK_POINTS = 1000;

export interface CandidateChunk {
  deviceId: string;
  field: string;
  startTs: number;
  level: number;
}

export interface WindowChunk {
  id: number | string;
  level: number;
  count: number;
  startTs: number;
}

export interface WindowWork {
  deviceId: string;
  field: string;
  start: number;
  closed: boolean;
}

export function isClosed(windowStartTs: number, now: number): boolean {
  return windowStartTs + CHUNK_WINDOW_MS + WINDOW_GRACE_MS <= now;
}

/** Chunks with a start before this may belong to a closed window (isClosed decides). */
export function closedBefore(now: number): number {
  return now - CHUNK_WINDOW_MS - WINDOW_GRACE_MS;
}

/** The series windows of some group-commit chunks and of some merged chunks of closed windows, once each. */
export function windowsToCompact(candidates: readonly CandidateChunk[], now: number): WindowWork[] {
  const groups = new Map<string, WindowWork>();
  for (const c of candidates) {
    const start = windowStart(c.startTs);
    const closed = isClosed(start, now);
    if (c.level !== CHUNK_LEVEL.batch && !closed) continue;
    const key = `${c.deviceId}\u0000${c.field}\u0000${start}`;
    if (!groups.has(key)) groups.set(key, { deviceId: c.deviceId, field: c.field, start, closed });
  }
  return [...groups.values()];
}

/** The chunks of a window a pass merges: all of a closed window; else its batches and its newest merged chunk with room. */
export function chunksToMerge<T extends WindowChunk>(chunks: readonly T[], closed: boolean): T[] {
  if (closed) return [...chunks];
  const batches = chunks.filter((c) => c.level === CHUNK_LEVEL.batch);
  const newest = chunks.filter((c) => c.level === CHUNK_LEVEL.open).sort((a, b) => b.startTs - a.startTs)[0];
  return newest && newest.count < OPEN_CHUNK_POINTS ? [...batches, newest] : batches;
}

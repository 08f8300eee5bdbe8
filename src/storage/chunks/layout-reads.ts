// Reads that join chunks with what an adapter stores beside them, shared by both adapters: the old
// one-row-per-point table (until compaction has emptied it) and the stored minute rollups of its points.
import type { RollupRow } from '../../domain/rollup.ts';
import type { Point } from '../../domain/telemetry.ts';
import { MINUTE } from '../../domain/time.ts';
import { type ChunkSource, newestRolledUpChunkPoint } from './chunk-read.ts';

/**
 * One series' points from chunks and from the old table. The old table is read first: a point that
 * compaction moved in between then shows in both, and counts once.
 */
export function withOldLayout(chunked: Point[], old: readonly Point[]): Point[] {
  if (old.length === 0) return chunked;
  const inChunks = new Set(chunked.map((p) => p.ts));
  return [...chunked, ...old.filter((p) => !inChunks.has(p.ts))];
}

/** The minute rollup before `before`: the newer of the newest stored row and the newest chunked minute. */
export async function minuteRollupBefore(
  source: ChunkSource,
  stored: RollupRow | undefined,
  deviceId: string,
  field: string,
  before: number,
  readMinutes: (start: number, end: number) => Promise<RollupRow[]>,
): Promise<RollupRow | undefined> {
  const newest = await newestRolledUpChunkPoint(source, deviceId, field, Math.ceil(before / MINUTE) * MINUTE);
  const bucket = Math.max(stored?.bucket ?? -Infinity, newest === undefined ? -Infinity : Math.floor(newest / MINUTE) * MINUTE);
  if (bucket === -Infinity) return undefined;
  return (await readMinutes(bucket, bucket + 1))[0];
}

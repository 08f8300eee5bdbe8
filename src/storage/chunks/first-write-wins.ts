// First write wins, shared by both adapters: a new point whose timestamp its series already holds
// (in a chunk or in the old one-row-per-point table) is dropped. Only a run that reaches back to the
// series' newest point can repeat one, so the common in-order write reads no chunk at all.
import type { Point } from '../../domain/telemetry.ts';
import { decodeChunkTimestamps } from './chunk-codec.ts';

/** Whether a time-ordered run may repeat stored timestamps of a series whose newest point is at `lastTs`. */
export function mayRepeatStored(run: readonly Point[], lastTs: number | null): boolean {
  return lastTs !== null && run[0]!.ts <= lastTs;
}

/** The points of a time-ordered run whose timestamps neither the chunk payloads nor `legacy` hold. */
export function unstoredPoints(run: readonly Point[], chunkData: Iterable<Uint8Array>, legacy: Iterable<number>): Point[] {
  const lower = run[0]!.ts;
  const upper = run[run.length - 1]!.ts;
  const taken = new Set<number>(legacy);
  for (const data of chunkData) for (const ts of decodeChunkTimestamps(data)) if (ts >= lower && ts <= upper) taken.add(ts);
  return taken.size === 0 ? [...run] : run.filter((p) => !taken.has(p.ts));
}

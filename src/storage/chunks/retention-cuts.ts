// Where a retention cut falls in the chunk layout, shared by both adapters: raw points go by whole
// windows, rollups by whole buckets, so nothing is ever deleted point by point.
import type { BatchRollup } from '../../domain/rollup.ts';
import { HOUR, MINUTE } from '../../domain/time.ts';
import type { ChunkColumns } from './chunk-codec.ts';
import { windowStart } from './chunk-layout.ts';
import { foldMinutes } from './chunk-read.ts';
import type { RetentionCut } from '../storage.ts';

const NEVER = Number.MIN_SAFE_INTEGER;

export interface ChunkCut {
  /** Chunks starting before this (a window edge) are dropped; every point of theirs is older than the cut. */
  chunksBefore: number;
  /** Minute rows to keep from the dropped chunks: buckets in [from, chunksBefore); none when from >= chunksBefore. */
  keepMinutesFrom: number;
  minuteRowsBefore: number;
  hourRowsBefore: number;
}

export function chunkCut(cut: RetentionCut): ChunkCut {
  const chunksBefore = cut.rawBefore === null ? NEVER : windowStart(cut.rawBefore);
  const minuteRowsBefore = cut.minuteBefore === null ? NEVER : Math.floor(cut.minuteBefore / MINUTE) * MINUTE;
  return {
    chunksBefore,
    keepMinutesFrom: minuteRowsBefore,
    minuteRowsBefore,
    hourRowsBefore: cut.hourBefore === null ? NEVER : Math.floor(cut.hourBefore / HOUR) * HOUR,
  };
}

/** The minute rollup rows to store for the points of chunks a cut drops (empty when minutes go with them). */
export function minutesToKeep(deviceId: string, field: string, cut: ChunkCut, dropped: readonly ChunkColumns[]): BatchRollup[] {
  if (cut.keepMinutesFrom >= cut.chunksBefore) return [];
  return foldMinutes(dropped, cut.keepMinutesFrom, cut.chunksBefore).map((row) => ({ deviceId, field, ...row }));
}

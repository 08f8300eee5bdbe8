// One series window's merge as both compactors apply it: which stored chunks go and what replaces them.
import { type ChunkColumns, decodeChunk } from './chunk-codec.ts';
import { CHUNK_LEVEL } from './chunk-layout.ts';
import { mergeColumns, splitColumns } from './chunk-merge.ts';
import { type WindowChunk, chunksToMerge } from './compaction-plan.ts';

export interface StoredWindowChunk extends WindowChunk {
  data: Uint8Array;
}

export interface WindowMerge {
  /** Ids of the merged chunks, to delete. */
  remove: Array<number | string>;
  /** The chunks replacing them, all at `level`. */
  insert: ChunkColumns[];
  level: number;
}

/** The merge of a window's chunks (every chunk of the series window), or undefined when nothing is to merge. */
export function planWindowMerge(all: readonly StoredWindowChunk[], closed: boolean): WindowMerge | undefined {
  const picked = chunksToMerge(all, closed);
  if (picked.length === 0) return undefined;
  const merged = mergeColumns(picked.map((c) => decodeChunk(c.data)));
  return { remove: picked.map((c) => c.id), insert: splitColumns(merged), level: closed ? CHUNK_LEVEL.final : CHUNK_LEVEL.open };
}

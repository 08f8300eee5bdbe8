// Compaction's pure part, shared by both adapters: the decoded chunks of one series window become one
// time-ordered run, cut again at MAX_CHUNK_POINTS.
import type { ChunkColumns } from './chunk-codec.ts';
import { MAX_CHUNK_POINTS } from './chunk-layout.ts';

/** One run of every point of `chunks` (whose timestamps never repeat across them), by time. */
export function mergeColumns(chunks: readonly ChunkColumns[]): ChunkColumns {
  if (chunks.length === 1) return chunks[0]!;
  const order: Array<[chunk: number, index: number]> = [];
  chunks.forEach((c, ci) => c.ts.forEach((_, i) => order.push([ci, i])));
  order.sort((a, b) => chunks[a[0]]!.ts[a[1]]! - chunks[b[0]]!.ts[b[1]]!);
  const out: ChunkColumns = { ts: [], values: [], meta: [] };
  for (const [ci, i] of order) {
    const c = chunks[ci]!;
    out.ts.push(c.ts[i]!);
    out.values.push(c.values[i]!);
    out.meta.push(c.meta[i] ?? null);
  }
  return out;
}

/** `c` cut into runs of at most MAX_CHUNK_POINTS. */
export function splitColumns(c: ChunkColumns): ChunkColumns[] {
  if (c.ts.length <= MAX_CHUNK_POINTS) return [c];
  const out: ChunkColumns[] = [];
  for (let i = 0; i < c.ts.length; i += MAX_CHUNK_POINTS) {
    const j = i + MAX_CHUNK_POINTS;
    out.push({ ts: c.ts.slice(i, j), values: c.values.slice(i, j), meta: c.meta.slice(i, j) });
  }
  return out;
}

/** Keeps the points of `c` for which `keep(ts)` holds; returns them and how many went. */
export function filterColumns(c: ChunkColumns, keep: (ts: number) => boolean): { kept: ChunkColumns; removed: number } {
  const kept: ChunkColumns = { ts: [], values: [], meta: [] };
  for (let i = 0; i < c.ts.length; i++) {
    if (!keep(c.ts[i]!)) continue;
    kept.ts.push(c.ts[i]!);
    kept.values.push(c.values[i]!);
    kept.meta.push(c.meta[i] ?? null);
  }
  return { kept, removed: c.ts.length - kept.ts.length };
}

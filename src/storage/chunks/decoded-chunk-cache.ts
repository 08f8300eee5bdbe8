// Decoded chunks kept for the next query: a history read in pages, or a dashboard refreshing, reads the
// same day chunks again and again. A hit is checked byte for byte against the stored payload, so a
// chunk rewritten since (compaction, a deleted range) is never answered from here.
import { type ChunkColumns, decodeChunk } from './chunk-codec.ts';
import type { ChunkRow } from './chunk-layout.ts';

const ENTRIES = 64;
/** Small chunks decode faster than they are compared and looked up: only large ones are kept. */
const SMALLEST_CACHED_POINTS_BYTES = 512;

const cache = new Map<string, { data: Uint8Array; columns: ChunkColumns }>();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** The chunk's columns; callers must not change them (they may be shared with the next caller). */
export function decodeRow(deviceId: string, field: string, row: ChunkRow): ChunkColumns {
  if (row.data.byteLength < SMALLEST_CACHED_POINTS_BYTES) return decodeChunk(row.data);
  const key = `${deviceId}\u0000${field}\u0000${row.startTs}\u0000${row.endTs}`;
  const hit = cache.get(key);
  if (hit && sameBytes(hit.data, row.data)) {
    cache.delete(key);
    cache.set(key, hit); // most recently used last
    return hit.columns;
  }
  const columns = decodeChunk(row.data);
  cache.set(key, { data: row.data, columns });
  if (cache.size > ENTRIES) cache.delete(cache.keys().next().value!);
  return columns;
}

// The chunk layout's statements on PostgreSQL: the reads every query uses (ChunkSource, on the pool or
// on a transaction's client) and the array-parameter writes shared by the point writer, compaction and
// deletes, so storing or dropping many chunks is one round trip.
import type pg from 'pg';
import { type ChunkColumns, encodeChunk } from '../chunks/chunk-codec.ts';
import { CHUNK_WINDOW_MS, type ChunkRow } from '../chunks/chunk-layout.ts';
import type { ChunkSource } from '../chunks/chunk-read.ts';

export type Queryable = pg.Pool | pg.PoolClient;

export interface NewChunk {
  deviceId: string;
  field: string;
  columns: ChunkColumns;
  level: number;
}

interface RawChunk {
  start_ts: number;
  end_ts: number;
  data: Buffer;
}

const toRow = (r: RawChunk): ChunkRow => ({ startTs: r.start_ts, endTs: r.end_ts, data: r.data });

/** The columns of INSERT_CHUNKS' seven array parameters. */
export const CHUNK_ARRAYS = '$1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::int[], $6::smallint[], $7::bytea[]';
export const INSERT_CHUNKS = `INSERT INTO chunks (device_id, field, start_ts, end_ts, count, level, data) SELECT * FROM unnest(${CHUNK_ARRAYS})`;

/** Parameters of INSERT_CHUNKS: one array per column. */
export function chunkArrays(chunks: readonly NewChunk[]): unknown[][] {
  const cols: unknown[][] = Array.from({ length: 7 }, () => []);
  for (const { deviceId, field, columns: c, level } of chunks) {
    const row = [deviceId, field, c.ts[0], c.ts[c.ts.length - 1], c.ts.length, level, encodeChunk(c)];
    row.forEach((v, i) => cols[i]!.push(v));
  }
  return cols;
}

export async function insertChunks(db: Queryable, chunks: readonly NewChunk[]): Promise<void> {
  if (chunks.length > 0) await db.query(INSERT_CHUNKS, chunkArrays(chunks));
}

export async function deleteChunks(db: Queryable, ids: ReadonlyArray<number | string>): Promise<void> {
  if (ids.length > 0) await db.query('DELETE FROM chunks WHERE id = ANY($1::bigint[])', [ids]);
}

/**
 * Chunks that may hold points of a series in [lower, upper] (start_ts > lower - window: a chunk never
 * spans more than its window), for several series at once: $1..$4 are arrays of device, field,
 * lower, upper; `i` is the 1-based index of the series in them.
 */
export const OVERLAPPING_CHUNKS = `
SELECT t.i::int AS i, c.id, c.level, c.data
FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) WITH ORDINALITY AS t(device_id, field, lower, upper, i)
JOIN chunks c ON c.device_id = t.device_id AND c.field = t.field
  AND c.start_ts > t.lower - ${CHUNK_WINDOW_MS} AND c.start_ts <= t.upper AND c.end_ts >= t.lower`;

export class PostgresChunkSource implements ChunkSource {
  constructor(private readonly db: Queryable) {}

  async byStartAsc(deviceId: string, field: string, afterStart: number, beforeStart: number, limit: number): Promise<ChunkRow[]> {
    const { rows } = await this.db.query<RawChunk>({
      name: 'fluxgate-chunks-asc',
      text: 'SELECT start_ts, end_ts, data FROM chunks WHERE device_id = $1 AND field = $2 AND start_ts > $3 AND start_ts < $4 ORDER BY start_ts LIMIT $5',
      values: [deviceId, field, afterStart, beforeStart, limit],
    });
    return rows.map(toRow);
  }

  async byStartDesc(deviceId: string, field: string, afterStart: number, beforeStart: number, limit: number): Promise<ChunkRow[]> {
    const { rows } = await this.db.query<RawChunk>({
      name: 'fluxgate-chunks-desc',
      text: 'SELECT start_ts, end_ts, data FROM chunks WHERE device_id = $1 AND field = $2 AND start_ts > $3 AND start_ts < $4 ORDER BY start_ts DESC LIMIT $5',
      values: [deviceId, field, afterStart, beforeStart, limit],
    });
    return rows.map(toRow);
  }
}

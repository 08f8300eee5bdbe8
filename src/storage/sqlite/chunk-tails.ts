// Group commits of a few points per series (single-point requests, a fleet sending a reading each)
// would each add a chunk row per series, and compaction would later merge them one by one. Instead
// the writer extends the level-0 chunk it wrote last for the series, in place, while it stays small
// (TAIL_POINTS), holds only points before the new ones, and lies in the same window: an UPDATE of a
// recent row touches the table page it sits on and no index (start_ts, the key, does not change).
// Small tails skip deflate: compaction rewrites them soon.
//
// The database stays the truth. The UPDATE names the row by rowid, series, start, level 0 and the
// count this writer left in it, so a row that compaction merged, a delete cut or retention dropped
// meanwhile (or a rowid reused by another row) matches nothing, and the points go into a new row.
// After a rolled-back transaction every tail is forgotten.
import type BetterSqlite3 from 'better-sqlite3';
import { type ChunkColumns, encodeChunk } from '../chunks/chunk-codec.ts';
import { CHUNK_LEVEL, windowStart } from '../chunks/chunk-layout.ts';
import { seriesKey } from '../chunks/series-batch.ts';
import type { SqliteChunkStatements } from './sqlite-chunk-statements.ts';

/** The most points a tail holds; beyond, a new row starts (and compaction merges full tails). */
export const TAIL_POINTS = 32;

interface Tail {
  rowid: number;
  columns: ChunkColumns;
}

export class ChunkTails {
  private readonly tails = new Map<string, Tail>();
  private readonly extend: BetterSqlite3.Statement;

  constructor(
    db: BetterSqlite3.Database,
    private readonly chunks: SqliteChunkStatements,
  ) {
    this.extend = db.prepare(
      `UPDATE chunks SET end_ts = @endTs, count = @count, data = @data
       WHERE rowid = @rowid AND device_id = @deviceId AND field = @field AND start_ts = @startTs AND level = ${CHUNK_LEVEL.batch} AND count = @was`,
    );
  }

  /** Stores `c` (ascending points of one series and window, after any the series holds there) as level 0. */
  write(deviceId: string, field: string, c: ChunkColumns): void {
    const key = seriesKey(deviceId, field);
    const n = c.ts.length;
    const tail = this.tails.get(key);
    if (tail && windowStart(tail.columns.ts[0]!) === windowStart(c.ts[0]!) && tail.columns.ts.length + n <= TAIL_POINTS && c.ts[0]! > tail.columns.ts.at(-1)!) {
      const columns = { ts: [...tail.columns.ts, ...c.ts], values: [...tail.columns.values, ...c.values], meta: [...tail.columns.meta, ...c.meta] };
      const { changes } = this.extend.run({
        rowid: tail.rowid,
        deviceId,
        field,
        startTs: columns.ts[0],
        endTs: columns.ts.at(-1),
        count: columns.ts.length,
        was: tail.columns.ts.length,
        data: encodeChunk(columns, false),
      });
      if (changes === 1) {
        tail.columns = columns;
        return;
      }
    }
    const small = n < TAIL_POINTS;
    const rowid = this.chunks.insertChunk(deviceId, field, c, CHUNK_LEVEL.batch, !small);
    if (small) this.tails.set(key, { rowid, columns: c });
    else this.tails.delete(key);
  }

  forgetAll(): void {
    this.tails.clear();
  }
}

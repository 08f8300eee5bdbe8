// The chunk layout's statements on one SQLite connection: the reads every query uses (ChunkSource) and
// the writes shared by the point writer, compaction and deletes. Each connection prepares its own.
import type BetterSqlite3 from 'better-sqlite3';
import { type ChunkColumns, encodeChunk } from '../chunks/chunk-codec.ts';
import type { ChunkRow } from '../chunks/chunk-layout.ts';
import type { ChunkSource } from '../chunks/chunk-read.ts';

type RawChunk = [startTs: number, endTs: number, data: Uint8Array];
const toRow = ([startTs, endTs, data]: RawChunk): ChunkRow => ({ startTs, endTs, data });

export class SqliteChunkStatements implements ChunkSource {
  private readonly startAsc: BetterSqlite3.Statement;
  private readonly startDesc: BetterSqlite3.Statement;
  private readonly insert: BetterSqlite3.Statement;
  /** id (rowid), level and payload of the chunks that may hold points of a series in [lower, upper]. */
  readonly overlapping: BetterSqlite3.Statement;
  readonly deleteRow: BetterSqlite3.Statement;

  constructor(db: BetterSqlite3.Database) {
    this.startAsc = db
      .prepare('SELECT start_ts, end_ts, data FROM chunks WHERE device_id = ? AND field = ? AND start_ts > ? AND start_ts < ? ORDER BY start_ts LIMIT ?')
      .raw(true);
    this.startDesc = db
      .prepare('SELECT start_ts, end_ts, data FROM chunks WHERE device_id = ? AND field = ? AND start_ts > ? AND start_ts < ? ORDER BY start_ts DESC LIMIT ?')
      .raw(true);
    this.insert = db.prepare('INSERT INTO chunks (device_id, field, start_ts, end_ts, count, level, data) VALUES (?, ?, ?, ?, ?, ?, ?)');
    // start_ts > lower - window: a chunk never spans more than its window (chunk-layout.ts).
    this.overlapping = db.prepare(
      'SELECT rowid AS id, level, data FROM chunks WHERE device_id = @deviceId AND field = @field AND start_ts > @lower - @window AND start_ts <= @upper AND end_ts >= @lower',
    );
    this.deleteRow = db.prepare('DELETE FROM chunks WHERE rowid = ?');
  }

  async byStartAsc(deviceId: string, field: string, afterStart: number, beforeStart: number, limit: number): Promise<ChunkRow[]> {
    return (this.startAsc.all(deviceId, field, afterStart, beforeStart, limit) as RawChunk[]).map(toRow);
  }

  async byStartDesc(deviceId: string, field: string, afterStart: number, beforeStart: number, limit: number): Promise<ChunkRow[]> {
    return (this.startDesc.all(deviceId, field, afterStart, beforeStart, limit) as RawChunk[]).map(toRow);
  }

  /** Returns the new row's rowid. */
  insertChunk(deviceId: string, field: string, c: ChunkColumns, level: number, compress = true): number {
    return Number(this.insert.run(deviceId, field, c.ts[0], c.ts[c.ts.length - 1], c.ts.length, level, encodeChunk(c, compress)).lastInsertRowid);
  }
}

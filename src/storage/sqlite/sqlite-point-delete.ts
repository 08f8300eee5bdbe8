// Deleting a time range of one device's telemetry on SQLite: chunks that hold points of the range are
// rewritten without them, the old points table loses its rows, the hour rollups of the hours touched
// are rebuilt from what remains, and each series' newest point is found again if it went.
import type BetterSqlite3 from 'better-sqlite3';
import { rollupBatch } from '../../domain/rollup.ts';
import type { Point } from '../../domain/telemetry.ts';
import { type StoredChunk, cutRange, newestPointOf, touchedHours } from '../chunks/chunk-delete.ts';
import { CHUNK_WINDOW_MS } from '../chunks/chunk-layout.ts';
import { toPoint } from '../shared/row-mapping.ts';
import type { PointsTable } from '../shared/schema.ts';
import { ROLLUP_UPSERT, SERIES_LATEST_UPSERT, latestParams } from './point-writer.ts';
import { SqliteChunkStatements } from './sqlite-chunk-statements.ts';

export class SqlitePointDelete {
  private readonly chunks: SqliteChunkStatements;
  private readonly transaction: (deviceId: string, start: number, end: number) => number;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.chunks = new SqliteChunkStatements(db);
    const tx = db.transaction((deviceId: string, start: number, end: number) => this.inTransaction(deviceId, start, end));
    this.transaction = (deviceId, start, end) => tx.immediate(deviceId, start, end);
  }

  /** Deletes points in [start, end); returns how many. */
  run(deviceId: string, start: number, end: number): number {
    return this.transaction(deviceId, start, end);
  }

  private inTransaction(deviceId: string, start: number, end: number): number {
    const db = this.db;
    const { lo, hi } = touchedHours(start, end);
    let deleted = db.prepare('DELETE FROM points WHERE device_id = ? AND ts >= ? AND ts < ?').run(deviceId, start, end).changes;
    // What remains in the edge hours, to rebuild their rollups from.
    const rest: Point[] = (
      db.prepare('SELECT * FROM points WHERE device_id = ? AND ((ts >= ? AND ts < ?) OR (ts >= ? AND ts < ?))').all(deviceId, lo, start, end, hi) as PointsTable[]
    ).map(toPoint);
    // Minute rollups are stored only for the old table's points; chunk points are counted on reading.
    const legacyRest = [...rest];
    const series = db.prepare('SELECT field, last_ts FROM series WHERE device_id = ?').all(deviceId) as Array<{ field: string; last_ts: number | null }>;
    for (const { field, last_ts: lastTs } of series) {
      const rows = this.chunks.overlapping.all({ deviceId, field, lower: lo, upper: hi - 1, window: CHUNK_WINDOW_MS }) as StoredChunk[];
      const cut = cutRange(deviceId, field, rows, start, end);
      rest.push(...cut.rest);
      deleted += cut.deleted;
      for (const { id, level, kept } of cut.rewrites) {
        this.chunks.deleteRow.run(id);
        if (kept.ts.length > 0) this.chunks.insertChunk(deviceId, field, kept, level);
      }
      if (lastTs !== null && lastTs >= start && lastTs < end) this.refreshLatest(deviceId, field);
    }
    for (const table of ['rollup_minute', 'rollup_hour']) {
      db.prepare(`DELETE FROM ${table} WHERE device_id = ? AND bucket >= ? AND bucket < ?`).run(deviceId, lo, hi);
    }
    for (const r of rollupBatch(rest, 'hour')) db.prepare(ROLLUP_UPSERT('rollup_hour')).run(r);
    for (const r of rollupBatch(legacyRest, 'minute')) db.prepare(ROLLUP_UPSERT('rollup_minute')).run(r);
    return deleted;
  }

  /** Sets a series' newest point from what is stored, or none. */
  private refreshLatest(deviceId: string, field: string): void {
    const db = this.db;
    db.prepare('UPDATE series SET last_ts = NULL, last_num = NULL, last_str = NULL, last_type = NULL, last_meta = NULL WHERE device_id = ? AND field = ?').run(
      deviceId,
      field,
    );
    const candidates: Point[] = [];
    const legacy = db.prepare('SELECT * FROM points WHERE device_id = ? AND field = ? ORDER BY ts DESC LIMIT 1').get(deviceId, field) as PointsTable | undefined;
    if (legacy) candidates.push(toPoint(legacy));
    // The chunk with the greatest end holds the series' newest point; it starts less than a window
    // before the newest start (a chunk ends inside the window it starts in).
    const newest = db
      .prepare(
        `SELECT data FROM chunks WHERE device_id = @deviceId AND field = @field
         AND start_ts > (SELECT MAX(start_ts) FROM chunks WHERE device_id = @deviceId AND field = @field) - ${CHUNK_WINDOW_MS} ORDER BY end_ts DESC LIMIT 1`,
      )
      .pluck()
      .get({ deviceId, field }) as
      | Uint8Array
      | undefined;
    if (newest) candidates.push(newestPointOf(deviceId, field, newest));
    const latest = candidates.sort((a, b) => b.ts - a.ts)[0];
    if (latest) db.prepare(SERIES_LATEST_UPSERT).run(latestParams(latest));
  }
}

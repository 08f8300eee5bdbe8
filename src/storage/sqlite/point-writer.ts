// The telemetry write transaction of the SQLite adapter: each series' new points as one level-0 chunk
// per window, the series' newest point, and the hour rollups, in one IMMEDIATE transaction. Used on
// the adapter's own connection, or on the writer thread's (sqlite-writer-thread.ts).
import type BetterSqlite3 from 'better-sqlite3';
import { type BatchRollup, rollupRuns } from '../../domain/rollup.ts';
import type { Point } from '../../domain/telemetry.ts';
import { CHUNK_WINDOW_MS } from '../chunks/chunk-layout.ts';
import { mayRepeatStored, unstoredPoints } from '../chunks/first-write-wins.ts';
import { chunkColumnsOf, groupBySeries } from '../chunks/series-batch.ts';
import { valueColumns } from '../shared/row-mapping.ts';
import type { WriteResult } from '../storage.ts';
import { ChunkTails } from './chunk-tails.ts';
import { SqliteChunkStatements } from './sqlite-chunk-statements.ts';

export const ROLLUP_UPSERT = (table: string) => `
INSERT INTO ${table} (device_id, field, bucket, count, sum, min, max, first_ts, first, last_ts, last)
VALUES (@deviceId, @field, @bucket, @count, @sum, @min, @max, @firstTs, @first, @lastTs, @last)
ON CONFLICT (device_id, field, bucket) DO UPDATE SET
  count = count + excluded.count,
  sum = sum + excluded.sum,
  min = MIN(min, excluded.min),
  max = MAX(max, excluded.max),
  first = CASE WHEN excluded.first_ts < first_ts THEN excluded.first ELSE first END,
  first_ts = MIN(first_ts, excluded.first_ts),
  last = CASE WHEN excluded.last_ts >= last_ts THEN excluded.last ELSE last END,
  last_ts = MAX(last_ts, excluded.last_ts)`;

/** Sets a series' newest point; inserts the series when it is new. */
export const SERIES_LATEST_UPSERT = `
INSERT INTO series (device_id, field, type, last_ts, last_num, last_str, last_type, last_meta)
VALUES (@deviceId, @field, @type, @ts, @num, @str, @type, @meta)
ON CONFLICT (device_id, field) DO UPDATE SET
  last_ts = excluded.last_ts, last_num = excluded.last_num, last_str = excluded.last_str,
  last_type = excluded.last_type, last_meta = excluded.last_meta
WHERE last_ts IS NULL OR excluded.last_ts > last_ts`;

export function latestParams(p: Point) {
  return { deviceId: p.deviceId, field: p.field, ts: p.ts, meta: p.meta, ...valueColumns(p.value) };
}

export class SqlitePointWriter {
  private readonly deviceExists: BetterSqlite3.Statement;
  private readonly seriesLastTs: BetterSqlite3.Statement;
  private readonly upsertLatest: BetterSqlite3.Statement;
  private readonly legacyTimestamps: BetterSqlite3.Statement;
  private readonly upsertHour: BetterSqlite3.Statement;
  private readonly chunks: SqliteChunkStatements;
  private readonly tails: ChunkTails;
  private readonly transaction: (points: readonly Point[]) => number;

  /** `db` must be migrated: the statements are prepared here. */
  constructor(db: BetterSqlite3.Database) {
    this.deviceExists = db.prepare('SELECT 1 FROM devices WHERE id = ?').pluck();
    this.seriesLastTs = db.prepare('SELECT last_ts FROM series WHERE device_id = ? AND field = ?').raw(true);
    this.upsertLatest = db.prepare(SERIES_LATEST_UPSERT);
    this.legacyTimestamps = db.prepare('SELECT ts FROM points WHERE device_id = ? AND field = ? AND ts >= ? AND ts <= ?').pluck();
    this.upsertHour = db.prepare(ROLLUP_UPSERT('rollup_hour'));
    this.chunks = new SqliteChunkStatements(db);
    this.tails = new ChunkTails(db, this.chunks);
    const tx = db.transaction((points: readonly Point[]) => this.writeInTransaction(points));
    this.transaction = (points) => tx.immediate(points);
  }

  write(points: readonly Point[]): WriteResult {
    if (points.length === 0) return { inserted: 0, duplicates: 0 };
    let inserted: number;
    try {
      inserted = this.transaction(points);
    } catch (err) {
      this.tails.forgetAll(); // rolled back: the rows they name may not exist
      throw err;
    }
    return { inserted, duplicates: points.length - inserted };
  }

  private writeInTransaction(points: readonly Point[]): number {
    const stored: Point[][] = [];
    let count = 0;
    // Points of a device deleted since their request was accepted are dropped, never left orphaned.
    const live = new Map<string, boolean>();
    for (const run of groupBySeries(points).runs) {
      let exists = live.get(run.deviceId);
      if (exists === undefined) live.set(run.deviceId, (exists = this.deviceExists.get(run.deviceId) !== undefined));
      if (!exists) continue;
      // The series row is read (and written) on every commit, never cached: another handle (a second
      // process, the CLI) may have deleted the device or written the series since.
      const lastTs = (this.seriesLastTs.get(run.deviceId, run.field) as [number | null] | undefined)?.[0] ?? null;
      const fresh = mayRepeatStored(run.points, lastTs) ? this.unstored(run.deviceId, run.field, run.points) : run.points;
      if (fresh.length === 0) continue;
      for (const c of chunkColumnsOf(fresh)) this.tails.write(run.deviceId, run.field, c);
      this.upsertLatest.run(latestParams(fresh[fresh.length - 1]!));
      stored.push(fresh);
      count += fresh.length;
    }
    this.upsertRollups(rollupRuns(stored, 'hour'));
    return count;
  }

  /** The points of a time-ordered run whose timestamps the series does not hold yet (first write wins). */
  private unstored(deviceId: string, field: string, run: readonly Point[]): Point[] {
    const lower = run[0]!.ts;
    const upper = run[run.length - 1]!.ts;
    const legacy = this.legacyTimestamps.all(deviceId, field, lower, upper) as number[];
    const rows = this.chunks.overlapping.all({ deviceId, field, lower, upper, window: CHUNK_WINDOW_MS }) as Array<{ data: Uint8Array }>;
    return unstoredPoints(run, rows.map((r) => r.data), legacy);
  }

  private upsertRollups(rollups: BatchRollup[]): void {
    for (const r of rollups) this.upsertHour.run(r);
  }
}

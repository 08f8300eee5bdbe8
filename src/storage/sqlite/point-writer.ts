// The telemetry write transaction of the SQLite adapter: points, their series and the minute and
// hour rollups, in one IMMEDIATE transaction. Used on the adapter's own connection, or on the
// writer thread's (sqlite-writer-thread.ts).
import type BetterSqlite3 from 'better-sqlite3';
import { type BatchRollup, rollupBatch } from '../../domain/rollup.ts';
import type { Point } from '../../domain/telemetry.ts';
import { valueColumns } from '../shared/row-mapping.ts';
import type { WriteResult } from '../storage.ts';

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

export class SqlitePointWriter {
  private readonly insertPoint: BetterSqlite3.Statement;
  private readonly deviceExists: BetterSqlite3.Statement;
  private readonly insertSeries: BetterSqlite3.Statement;
  private readonly upsertMinute: BetterSqlite3.Statement;
  private readonly upsertHour: BetterSqlite3.Statement;
  private readonly transaction: (points: readonly Point[]) => number;

  /** `db` must be migrated: the statements are prepared here. */
  constructor(db: BetterSqlite3.Database) {
    this.insertPoint = db.prepare(
      'INSERT INTO points (device_id, field, ts, num, str, type, meta) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    this.deviceExists = db.prepare('SELECT 1 FROM devices WHERE id = ?').pluck();
    this.insertSeries = db.prepare('INSERT INTO series (device_id, field, type) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
    this.upsertMinute = db.prepare(ROLLUP_UPSERT('rollup_minute'));
    this.upsertHour = db.prepare(ROLLUP_UPSERT('rollup_hour'));
    const tx = db.transaction((points: readonly Point[]) => this.writeInTransaction(points));
    this.transaction = (points) => tx.immediate(points);
  }

  write(points: readonly Point[]): WriteResult {
    if (points.length === 0) return { inserted: 0, duplicates: 0 };
    const inserted = this.transaction(points);
    return { inserted, duplicates: points.length - inserted };
  }

  private writeInTransaction(points: readonly Point[]): number {
    const { insertPoint, insertSeries, deviceExists } = this;
    const stored: Point[] = [];
    // Points of a device deleted since their request was accepted are dropped, never left orphaned.
    const live = new Map<string, boolean>();
    // Every series of the batch is ensured, not only those this handle has not seen before: another
    // handle (a second process, the CLI) may have deleted the device since, and no cache here knows.
    const series = new Map<string, [deviceId: string, field: string, type: number]>();
    for (const p of points) {
      let exists = live.get(p.deviceId);
      if (exists === undefined) live.set(p.deviceId, (exists = deviceExists.get(p.deviceId) !== undefined));
      if (!exists) continue;
      const v = valueColumns(p.value);
      if (insertPoint.run(p.deviceId, p.field, p.ts, v.num, v.str, v.type, p.meta).changes === 1) stored.push(p);
      const key = `${p.deviceId}\u0000${p.field}`;
      if (!series.has(key)) series.set(key, [p.deviceId, p.field, v.type]);
    }
    for (const row of series.values()) insertSeries.run(...row);
    this.upsertRollups(rollupBatch(stored, 'minute'), this.upsertMinute);
    this.upsertRollups(rollupBatch(stored, 'hour'), this.upsertHour);
    return stored.length;
  }

  private upsertRollups(rollups: BatchRollup[], stmt: BetterSqlite3.Statement): void {
    for (const r of rollups) stmt.run(r);
  }
}

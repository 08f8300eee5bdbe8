// Telemetry retention on SQLite, in one IMMEDIATE transaction per call: whole chunks dropped, minute
// rollups of their points kept first when those outlive the raw points, rollup rows by bucket.
import type BetterSqlite3 from 'better-sqlite3';
import { decodeChunk } from '../chunks/chunk-codec.ts';
import { chunkCut, minutesToKeep } from '../chunks/retention-cuts.ts';
import type { RetentionCut, RetentionResult } from '../storage.ts';
import { ROLLUP_UPSERT } from './point-writer.ts';

export class SqliteRetention {
  private readonly transaction: (cuts: readonly RetentionCut[]) => RetentionResult;

  constructor(db: BetterSqlite3.Database) {
    const dropped = db.prepare('SELECT COUNT(*) AS chunks, COALESCE(SUM(count), 0) AS points FROM chunks WHERE device_id = ? AND field = ? AND start_ts < ?');
    const droppedData = db.prepare('SELECT data FROM chunks WHERE device_id = ? AND field = ? AND start_ts < ?').pluck();
    const dropChunks = db.prepare('DELETE FROM chunks WHERE device_id = ? AND field = ? AND start_ts < ?');
    const keepMinute = db.prepare(ROLLUP_UPSERT('rollup_minute'));
    const dropMinutes = db.prepare('DELETE FROM rollup_minute WHERE device_id = ? AND field = ? AND bucket < ?');
    const dropHours = db.prepare('DELETE FROM rollup_hour WHERE device_id = ? AND field = ? AND bucket < ?');
    const tx = db.transaction((cuts: readonly RetentionCut[]) => {
      const result: RetentionResult = { droppedChunks: 0, droppedPoints: 0, keptMinuteRows: 0, droppedRollupRows: 0 };
      for (const cut of cuts) {
        const { deviceId, field } = cut;
        const c = chunkCut(cut);
        const gone = dropped.get(deviceId, field, c.chunksBefore) as { chunks: number; points: number };
        if (gone.chunks > 0) {
          if (c.keepMinutesFrom < c.chunksBefore) {
            const columns = (droppedData.all(deviceId, field, c.chunksBefore) as Uint8Array[]).map(decodeChunk);
            for (const row of minutesToKeep(deviceId, field, c, columns)) {
              keepMinute.run(row);
              result.keptMinuteRows++;
            }
          }
          dropChunks.run(deviceId, field, c.chunksBefore);
          result.droppedChunks += gone.chunks;
          result.droppedPoints += gone.points;
        }
        result.droppedRollupRows += dropMinutes.run(deviceId, field, c.minuteRowsBefore).changes;
        result.droppedRollupRows += dropHours.run(deviceId, field, c.hourRowsBefore).changes;
      }
      return result;
    });
    this.transaction = (cuts) => tx.immediate(cuts);
  }

  apply(cuts: readonly RetentionCut[]): RetentionResult {
    return cuts.length === 0 ? { droppedChunks: 0, droppedPoints: 0, keptMinuteRows: 0, droppedRollupRows: 0 } : this.transaction(cuts);
  }
}

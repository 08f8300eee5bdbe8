// Deleting a time range of one device's telemetry on PostgreSQL, in the caller's transaction: the
// device's series rows are locked first (the writers' lock order), chunks holding points of the range
// are rewritten without them, the old points table loses its rows, the rollups of the hours touched
// are rebuilt from what remains, and each series' newest point is found again if it went.
import type pg from 'pg';
import { rollupBatch } from '../../domain/rollup.ts';
import type { Point } from '../../domain/telemetry.ts';
import { type StoredChunk, cutRange, newestPointOf, touchedHours } from '../chunks/chunk-delete.ts';
import { CHUNK_WINDOW_MS } from '../chunks/chunk-layout.ts';
import { toPoint, valueColumns } from '../shared/row-mapping.ts';
import type { PointsTable } from '../shared/schema.ts';
import { type NewChunk, OVERLAPPING_CHUNKS, deleteChunks, insertChunks } from './postgres-chunks.ts';
import { upsertRollups } from './postgres-rollups.ts';

/** Deletes the device's points in [start, end); returns how many. */
export async function deletePointsInTransaction(c: pg.PoolClient, deviceId: string, start: number, end: number): Promise<number> {
  const { lo, hi } = touchedHours(start, end);
  const series = (
    await c.query<{ field: string; last_ts: number | null }>('SELECT field, last_ts FROM series WHERE device_id = $1 ORDER BY field COLLATE "C" FOR UPDATE', [
      deviceId,
    ])
  ).rows;
  let deleted = (await c.query('DELETE FROM points WHERE device_id = $1 AND ts >= $2 AND ts < $3', [deviceId, start, end])).rowCount ?? 0;
  // What remains in the edge hours, to rebuild their rollups from. Minute rollups are stored only for
  // the old table's points; chunk points are counted on reading.
  const legacyRest = (
    await c.query<PointsTable>('SELECT * FROM points WHERE device_id = $1 AND ((ts >= $2 AND ts < $3) OR (ts >= $4 AND ts < $5))', [deviceId, lo, start, end, hi])
  ).rows.map(toPoint);
  const rest: Point[] = [...legacyRest];
  const overlapping = await c.query<StoredChunk & { i: number }>(OVERLAPPING_CHUNKS, [
    series.map(() => deviceId),
    series.map((s) => s.field),
    series.map(() => lo),
    series.map(() => hi - 1),
  ]);
  const remove: Array<number | string> = [];
  const insert: NewChunk[] = [];
  series.forEach(({ field }, i) => {
    const cut = cutRange(deviceId, field, overlapping.rows.filter((r) => r.i === i + 1), start, end);
    rest.push(...cut.rest);
    deleted += cut.deleted;
    for (const { id, level, kept } of cut.rewrites) {
      remove.push(id);
      if (kept.ts.length > 0) insert.push({ deviceId, field, columns: kept, level });
    }
  });
  await deleteChunks(c, remove);
  await insertChunks(c, insert);
  for (const table of ['rollup_minute', 'rollup_hour']) {
    await c.query(`DELETE FROM ${table} WHERE device_id = $1 AND bucket >= $2 AND bucket < $3`, [deviceId, lo, hi]);
  }
  await upsertRollups(c, 'rollup_hour', rollupBatch(rest, 'hour'));
  await upsertRollups(c, 'rollup_minute', rollupBatch(legacyRest, 'minute'));
  for (const { field, last_ts: lastTs } of series) {
    if (lastTs !== null && lastTs >= start && lastTs < end) await refreshLatest(c, deviceId, field);
  }
  return deleted;
}

/** Sets a series' newest point from what is stored, or none. */
async function refreshLatest(c: pg.PoolClient, deviceId: string, field: string): Promise<void> {
  const candidates: Point[] = [];
  const legacy = (await c.query<PointsTable>('SELECT * FROM points WHERE device_id = $1 AND field = $2 ORDER BY ts DESC LIMIT 1', [deviceId, field])).rows[0];
  if (legacy) candidates.push(toPoint(legacy));
  // The chunk with the greatest end holds the newest point; it starts less than a window before the newest start.
  const newest = (
    await c.query<{ data: Buffer }>(
      `SELECT data FROM chunks WHERE device_id = $1 AND field = $2
       AND start_ts > (SELECT MAX(start_ts) FROM chunks WHERE device_id = $1 AND field = $2) - ${CHUNK_WINDOW_MS} ORDER BY end_ts DESC LIMIT 1`,
      [deviceId, field],
    )
  ).rows[0];
  if (newest) candidates.push(newestPointOf(deviceId, field, newest.data));
  const latest = candidates.sort((a, b) => b.ts - a.ts)[0];
  const v = latest ? valueColumns(latest.value) : { num: null, str: null, type: null };
  await c.query('UPDATE series SET last_ts = $3, last_num = $4, last_str = $5, last_type = $6, last_meta = $7 WHERE device_id = $1 AND field = $2', [
    deviceId,
    field,
    latest?.ts ?? null,
    v.num,
    v.str,
    v.type,
    latest?.meta ?? null,
  ]);
}

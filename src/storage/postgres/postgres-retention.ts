// Telemetry retention on PostgreSQL, inside the caller's transaction: the series rows are locked in
// the writers' order first (a writer adding a late point to a day being dropped waits, and is then
// counted or dropped whole), the minute rollups of dropped chunks are stored when they are kept
// longer, then chunks and rollup rows go. A page of series costs a handful of round trips.
import type pg from 'pg';
import { decodeChunk } from '../chunks/chunk-codec.ts';
import { type ChunkCut, chunkCut, minutesToKeep } from '../chunks/retention-cuts.ts';
import type { RetentionCut, RetentionResult } from '../storage.ts';
import { ROLLUP_UPSERT, rollupArrays } from './postgres-rollups.ts';

const LOCK = `
SELECT 1 FROM series s JOIN unnest($1::text[], $2::text[]) AS t(device_id, field) ON s.device_id = t.device_id AND s.field = t.field
ORDER BY s.device_id COLLATE "C", s.field COLLATE "C"
FOR UPDATE OF s`;

const CUTS = `unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS t(device_id, field, before, i)`;

export async function applyRetentionInTransaction(client: pg.PoolClient, cuts: readonly RetentionCut[]): Promise<RetentionResult> {
  const result: RetentionResult = { droppedChunks: 0, droppedPoints: 0, keptMinuteRows: 0, droppedRollupRows: 0 };
  if (cuts.length === 0) return result;
  const ids = cuts.map((c) => c.deviceId);
  const fields = cuts.map((c) => c.field);
  const at: ChunkCut[] = cuts.map(chunkCut);
  await client.query(LOCK, [ids, fields]);

  const keeping = at.map((c, i) => (c.keepMinutesFrom < c.chunksBefore ? i : -1)).filter((i) => i >= 0);
  if (keeping.length > 0) {
    const { rows } = await client.query<{ i: number; data: Buffer }>(
      `SELECT t.i::int AS i, c.data FROM ${CUTS} JOIN chunks c ON c.device_id = t.device_id AND c.field = t.field AND c.start_ts < t.before`,
      [keeping.map((i) => ids[i]), keeping.map((i) => fields[i]), keeping.map((i) => at[i]!.chunksBefore)],
    );
    const dropped = keeping.map(() => [] as Buffer[]);
    for (const row of rows) dropped[row.i - 1]!.push(row.data);
    const minutes = keeping.flatMap((cutIndex, k) => minutesToKeep(ids[cutIndex]!, fields[cutIndex]!, at[cutIndex]!, dropped[k]!.map(decodeChunk)));
    if (minutes.length > 0) await client.query(ROLLUP_UPSERT('rollup_minute'), rollupArrays(minutes));
    result.keptMinuteRows = minutes.length;
  }

  const gone = await client.query<{ count: number }>(
    `DELETE FROM chunks c USING ${CUTS} WHERE c.device_id = t.device_id AND c.field = t.field AND c.start_ts < t.before RETURNING c.count`,
    [ids, fields, at.map((c) => c.chunksBefore)],
  );
  result.droppedChunks = gone.rowCount ?? 0;
  result.droppedPoints = gone.rows.reduce((n, r) => n + Number(r.count), 0);
  for (const [table, before] of [
    ['rollup_minute', at.map((c) => c.minuteRowsBefore)],
    ['rollup_hour', at.map((c) => c.hourRowsBefore)],
  ] as const) {
    const removed = await client.query(`DELETE FROM ${table} r USING ${CUTS} WHERE r.device_id = t.device_id AND r.field = t.field AND r.bucket < t.before`, [
      ids,
      fields,
      before,
    ]);
    result.droppedRollupRows += removed.rowCount ?? 0;
  }
  return result;
}

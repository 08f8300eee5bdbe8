// The common write in one statement: every series of the batch is one this node has written before,
// and each run starts after its series' newest point, so no point can repeat a stored one. One
// statement runs as its own transaction: one round trip instead of four (BEGIN, lock, store, COMMIT),
// and it still answers only after the commit. The statement locks the series rows in the same order
// as the full write (postgres-point-writer.ts) and checks both conditions under the lock; when either
// fails it stores nothing and the caller takes the full write, which handles every case.
import type pg from 'pg';
import type { Point } from '../../domain/telemetry.ts';
import { groupBySeries, seriesKey } from '../chunks/series-batch.ts';
import { type KnownSeries, type WriteOutcome, storeParameters, storeStatement } from './postgres-point-writer.ts';

// $26..$28: each run's series and first timestamp.
const APPEND = storeStatement(
  '(SELECT ok FROM checked)',
  `input AS (
  SELECT * FROM unnest($26::text[], $27::text[], $28::bigint[]) AS t(device_id, field, first_ts)
), locked AS (
  SELECT s.device_id, s.field, s.last_ts FROM series s
  JOIN input t ON s.device_id = t.device_id AND s.field = t.field
  WHERE EXISTS (SELECT 1 FROM devices d WHERE d.id = s.device_id)
  ORDER BY s.device_id COLLATE "C", s.field COLLATE "C"
  FOR UPDATE OF s
), checked AS (
  SELECT (SELECT count(*) FROM locked) = (SELECT count(*) FROM input)
    AND NOT EXISTS (SELECT 1 FROM locked l JOIN input t USING (device_id, field) WHERE l.last_ts >= t.first_ts) AS ok
), `,
);

/** Stores `points` if they only append to series `known` holds; undefined (nothing stored) otherwise. */
export async function appendKnownSeries(pool: pg.Pool, points: readonly Point[], known: KnownSeries): Promise<WriteOutcome | undefined> {
  const { runs } = groupBySeries(points);
  if (!runs.every((r) => known.has(r.deviceId, r.field))) return undefined;
  const { rows } = await pool.query<{ ok: boolean }>({
    name: 'fluxgate-append',
    text: APPEND,
    values: [...storeParameters(runs), runs.map((r) => r.deviceId), runs.map((r) => r.field), runs.map((r) => r.points[0]!.ts)],
  });
  if (!rows[0]?.ok) return undefined;
  return { inserted: runs.reduce((n, r) => n + r.points.length, 0), series: runs.map((r) => seriesKey(r.deviceId, r.field)) };
}

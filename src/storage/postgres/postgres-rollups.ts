// Stored rollups on PostgreSQL: a batch of rollup rows folded into a table with one array-parameter
// statement (unnest).
import type { BatchRollup } from '../../domain/rollup.ts';
import type { Queryable } from './postgres-chunks.ts';

export type RollupTableName = 'rollup_minute' | 'rollup_hour';

/**
 * The upsert with its eleven array parameters numbered from $`first` (so it can close a longer
 * statement); `onlyIf`, a boolean SQL expression, gates every row.
 */
export const ROLLUP_UPSERT = (table: RollupTableName, first = 1, onlyIf = 'true') => {
  const types = ['text', 'text', 'bigint', 'bigint', 'float8', 'float8', 'float8', 'bigint', 'float8', 'bigint', 'float8'];
  const arrays = types.map((t, i) => `$${first + i}::${t}[]`).join(', ');
  return `
INSERT INTO ${table} (device_id, field, bucket, count, sum, min, max, first_ts, first, last_ts, last)
SELECT * FROM unnest(${arrays}) WHERE ${onlyIf}
ON CONFLICT (device_id, field, bucket) DO UPDATE SET
  count = ${table}.count + excluded.count,
  sum = ${table}.sum + excluded.sum,
  min = LEAST(${table}.min, excluded.min),
  max = GREATEST(${table}.max, excluded.max),
  first = CASE WHEN excluded.first_ts < ${table}.first_ts THEN excluded.first ELSE ${table}.first END,
  first_ts = LEAST(${table}.first_ts, excluded.first_ts),
  last = CASE WHEN excluded.last_ts >= ${table}.last_ts THEN excluded.last ELSE ${table}.last END,
  last_ts = GREATEST(${table}.last_ts, excluded.last_ts)`;
};

/** ROLLUP_UPSERT's parameters: one array per column. */
export function rollupArrays(rollups: readonly BatchRollup[]): unknown[][] {
  const cols: unknown[][] = Array.from({ length: 11 }, () => []);
  for (const r of rollups) {
    const row = [r.deviceId, r.field, r.bucket, r.count, r.sum, r.min, r.max, r.firstTs, r.first, r.lastTs, r.last];
    row.forEach((v, i) => cols[i]!.push(v));
  }
  return cols;
}

export async function upsertRollups(db: Queryable, table: RollupTableName, rollups: readonly BatchRollup[]): Promise<void> {
  if (rollups.length > 0) await db.query(ROLLUP_UPSERT(table), rollupArrays(rollups));
}

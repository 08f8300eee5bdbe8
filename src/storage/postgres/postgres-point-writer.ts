// The telemetry write transaction of the PostgreSQL adapter: each series' new points as one level-0
// chunk per window, the series' newest point and the hour rollups. Several nodes may write one
// series: the transaction locks the batch's series rows (in one fixed order, so two nodes never
// deadlock) before reading their newest timestamps, so first write wins across nodes as well. This
// full write costs four round trips however many series it holds (five when it reaches back into
// stored time, one more when it brings a series this node has not written yet); a batch that only
// appends to known series goes in one (postgres-append-write.ts).
import type pg from 'pg';
import { rollupRuns } from '../../domain/rollup.ts';
import type { Point } from '../../domain/telemetry.ts';
import { mayRepeatStored, unstoredPoints } from '../chunks/first-write-wins.ts';
import { CHUNK_LEVEL, CHUNK_WINDOW_MS } from '../chunks/chunk-layout.ts';
import { type SeriesRun, chunkColumnsOf, groupBySeries, seriesKey } from '../chunks/series-batch.ts';
import { valueColumns } from '../shared/row-mapping.ts';
import { CHUNK_ARRAYS, type NewChunk, chunkArrays } from './postgres-chunks.ts';
import { ROLLUP_UPSERT, rollupArrays } from './postgres-rollups.ts';

// Series rows of live devices, inserted in the lock order. The KEY SHARE lock on the device rows makes
// a concurrent deleteDevice (which deletes the device row first) wait for this commit and then delete
// these points too, or, when it committed first, leaves the row invisible here, so points of a
// deleted device are dropped and none outlive it.
const ENSURE_SERIES = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[]) AS t(device_id, field, type)
), live AS (
  SELECT id FROM devices WHERE id IN (SELECT device_id FROM input) FOR KEY SHARE
)
INSERT INTO series (device_id, field, type)
SELECT device_id, field, type FROM input WHERE device_id IN (SELECT id FROM live)
ORDER BY device_id COLLATE "C", field COLLATE "C"
ON CONFLICT DO NOTHING`;

// A separate statement from ENSURE_SERIES: its snapshot must see series rows another node committed
// while the insert above waited for them. ORDER BY applies before FOR UPDATE: rows lock in this order.
const LOCK_SERIES = `
SELECT s.device_id, s.field, s.last_ts FROM series s
JOIN unnest($1::text[], $2::text[]) AS t(device_id, field) ON s.device_id = t.device_id AND s.field = t.field
WHERE EXISTS (SELECT 1 FROM devices d WHERE d.id = s.device_id)
ORDER BY s.device_id COLLATE "C", s.field COLLATE "C"
FOR UPDATE OF s`;

// What the series hold in the time spans of runs that reach back (chunk payloads, old-table timestamps).
const STORED_IN_SPANS = `
SELECT t.i::int AS i, c.data, NULL::bigint AS ts
FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) WITH ORDINALITY AS t(device_id, field, lower, upper, i)
JOIN chunks c ON c.device_id = t.device_id AND c.field = t.field
  AND c.start_ts > t.lower - ${CHUNK_WINDOW_MS} AND c.start_ts <= t.upper AND c.end_ts >= t.lower
UNION ALL
SELECT t.i::int, NULL, p.ts
FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) WITH ORDINALITY AS t(device_id, field, lower, upper, i)
JOIN points p ON p.device_id = t.device_id AND p.field = t.field AND p.ts >= t.lower AND p.ts <= t.upper`;

/**
 * Chunks ($1..$7), newest points ($8..$14) and hour rollups ($15..$25), each gated by `onlyIf`, after
 * the CTEs `before`; the statement answers one row, `ok`: whether the gate let them through.
 */
export const storeStatement = (onlyIf = 'true', before = '') => `
WITH ${before}new_chunks AS (
  INSERT INTO chunks (device_id, field, start_ts, end_ts, count, level, data) SELECT * FROM unnest(${CHUNK_ARRAYS}) WHERE ${onlyIf}
), latest AS (
  UPDATE series s SET last_ts = t.ts, last_num = t.num, last_str = t.str, last_type = t.type, last_meta = t.meta
  FROM unnest($8::text[], $9::text[], $10::bigint[], $11::float8[], $12::text[], $13::smallint[], $14::text[])
    AS t(device_id, field, ts, num, str, type, meta)
  WHERE s.device_id = t.device_id AND s.field = t.field AND (s.last_ts IS NULL OR t.ts > s.last_ts) AND ${onlyIf}
), rollups AS (${ROLLUP_UPSERT('rollup_hour', 15, onlyIf)}
)
SELECT ${onlyIf} AS ok`;

const STORE = storeStatement();

/** The store statement's parameters for runs to store whole (ascending, one point per ts). */
export function storeParameters(fresh: readonly SeriesRun[]): unknown[][] {
  const chunks: NewChunk[] = fresh.flatMap((r) =>
    chunkColumnsOf(r.points).map((columns) => ({ deviceId: r.deviceId, field: r.field, columns, level: CHUNK_LEVEL.batch })),
  );
  const newest = fresh.map((r) => r.points[r.points.length - 1]!);
  return [...chunkArrays(chunks), ...latestArrays(newest), ...rollupArrays(rollupRuns(fresh.map((r) => r.points), 'hour'))];
}

function latestArrays(points: readonly Point[]): unknown[][] {
  const cols: unknown[][] = Array.from({ length: 7 }, () => []);
  for (const p of points) {
    const v = valueColumns(p.value);
    [p.deviceId, p.field, p.ts, v.num, v.str, v.type, p.meta].forEach((x, i) => cols[i]!.push(x));
  }
  return cols;
}

/**
 * Series rows known to exist, from this node's committed writes: a batch of only those skips
 * ENSURE_SERIES, the costliest of its statements. Skipping it is safe because LOCK_SERIES locks the
 * series rows themselves, which a device's deletion locks and deletes (postgres-storage.ts). A row
 * deleted meanwhile (its device deleted on any node, perhaps made again under the same id) is missing
 * from LOCK_SERIES: the write is then retried without trusting the set (SeriesGone).
 */
export class KnownSeries {
  private readonly keys = new Set<string>();
  /** Bounds memory on a fleet of many short-lived series: forgetting costs one ENSURE_SERIES more. */
  constructor(private readonly max = 1_000_000) {}

  has(deviceId: string, field: string): boolean {
    return this.keys.has(seriesKey(deviceId, field));
  }

  add(keys: readonly string[]): void {
    if (this.keys.size + keys.length > this.max) this.keys.clear();
    for (const k of keys) this.keys.add(k);
  }

  forget(keys: readonly string[]): void {
    for (const k of keys) this.keys.delete(k);
  }
}

/** A series row this node had written is gone: roll back and write again, ensuring every series. */
export class SeriesGone extends Error {
  constructor(readonly keys: string[]) {
    super('series rows deleted since this node last wrote them');
  }
}

export interface WriteOutcome {
  inserted: number;
  /** The series the transaction wrote or holds: known to exist once it has committed. */
  series: string[];
}

/** Stores `points` on `client`, inside the caller's transaction. `known`: series to take as existing. */
export async function writePointsInTransaction(client: pg.PoolClient, points: readonly Point[], known?: KnownSeries): Promise<WriteOutcome> {
  const { runs } = groupBySeries(points);
  const ids = runs.map((r) => r.deviceId);
  const fields = runs.map((r) => r.field);
  const unknown = known ? runs.filter((r) => !known.has(r.deviceId, r.field)) : runs;
  if (unknown.length > 0) {
    await client.query(ENSURE_SERIES, [unknown.map((r) => r.deviceId), unknown.map((r) => r.field), unknown.map((r) => valueColumns(r.points[0]!.value).type)]);
  }
  const locked = await client.query<{ device_id: string; field: string; last_ts: number | null }>(LOCK_SERIES, [ids, fields]);
  const lastTs = new Map(locked.rows.map((r) => [seriesKey(r.device_id, r.field), r.last_ts]));
  if (unknown.length < runs.length) {
    const gone = runs.filter((r) => known!.has(r.deviceId, r.field) && !lastTs.has(seriesKey(r.deviceId, r.field)));
    if (gone.length > 0) throw new SeriesGone(gone.map((r) => seriesKey(r.deviceId, r.field)));
  }
  const live = runs.filter((r) => lastTs.has(seriesKey(r.deviceId, r.field)));
  const series = live.map((r) => seriesKey(r.deviceId, r.field));
  const fresh = await freshRuns(client, live, lastTs);
  const inserted = fresh.reduce((n, r) => n + r.points.length, 0);
  if (inserted === 0) return { inserted: 0, series };
  await client.query(STORE, storeParameters(fresh));
  return { inserted, series };
}

/** The runs without the points whose timestamps their series holds already (first write wins); empty runs go. */
async function freshRuns(client: pg.PoolClient, runs: readonly SeriesRun[], lastTs: ReadonlyMap<string, number | null>): Promise<SeriesRun[]> {
  const reaching = runs.filter((r) => mayRepeatStored(r.points, lastTs.get(seriesKey(r.deviceId, r.field)) ?? null));
  if (reaching.length === 0) return [...runs];
  const { rows } = await client.query<{ i: number; data: Buffer | null; ts: number | null }>(STORED_IN_SPANS, [
    reaching.map((r) => r.deviceId),
    reaching.map((r) => r.field),
    reaching.map((r) => r.points[0]!.ts),
    reaching.map((r) => r.points[r.points.length - 1]!.ts),
  ]);
  const stored = reaching.map(() => ({ chunks: [] as Uint8Array[], legacy: [] as number[] }));
  for (const row of rows) {
    const into = stored[row.i - 1]!;
    if (row.data) into.chunks.push(row.data);
    else if (row.ts !== null) into.legacy.push(row.ts);
  }
  const filtered = new Map(reaching.map((r, i) => [r, unstoredPoints(r.points, stored[i]!.chunks, stored[i]!.legacy)]));
  return runs.map((r) => ({ ...r, points: filtered.get(r) ?? r.points })).filter((r) => r.points.length > 0);
}

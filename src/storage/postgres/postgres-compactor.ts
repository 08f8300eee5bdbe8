// Compaction on PostgreSQL: merges chunks per series window and moves the points of the old
// one-row-per-point table into chunks, window by window. Each step is one short transaction under a
// transaction-level advisory lock per schema: when another node is compacting, this one skips the
// step. Series rows are locked with SKIP LOCKED, so compaction never waits for a writer (and never
// deadlocks with one); a window whose series a writer holds waits for the next round.
import type pg from 'pg';
import type { CompactionStep } from '../storage.ts';
import { CHUNK_LEVEL, CHUNK_WINDOW_MS, windowStart } from '../chunks/chunk-layout.ts';
import { type CandidateChunk, type WindowWork, closedBefore, windowsToCompact } from '../chunks/compaction-plan.ts';
import { chunkColumnsOf } from '../chunks/series-batch.ts';
import { type StoredWindowChunk, planWindowMerge } from '../chunks/window-merge.ts';
import { toPoint } from '../shared/row-mapping.ts';
import type { PointsTable } from '../shared/schema.ts';
import { type NewChunk, deleteChunks, insertChunks } from './postgres-chunks.ts';

// A page each step re-reads: small, as a step may only get through a few windows in its budget.
const CANDIDATES = 256;
/** Windows merged per statement round: their chunks are read in one query. */
const WINDOWS_PER_ROUND = 200;
/** Advisory-lock namespace of compaction ('FCMP'); the second key is the schema's hash. */
const COMPACTION_LOCK_CLASS = 0x46434d50;

const CANDIDATE_COLUMNS = 'SELECT device_id AS "deviceId", field, start_ts AS "startTs", level FROM chunks';

const LOCK_WINDOW_SERIES = `
SELECT t.i::int AS i FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(device_id, field, i)
JOIN series s ON s.device_id = t.device_id AND s.field = t.field
FOR UPDATE OF s SKIP LOCKED`;

const WINDOW_CHUNKS = `
SELECT t.i::int AS i, c.id, c.level, c.count, c.start_ts AS "startTs", c.data
FROM unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS t(device_id, field, start, i)
JOIN chunks c ON c.device_id = t.device_id AND c.field = t.field AND c.start_ts >= t.start AND c.start_ts < t.start + ${CHUNK_WINDOW_MS}`;

/** One compaction step in `client`'s own transaction (BEGIN to COMMIT here). */
export async function compactionStep(client: pg.PoolClient, schema: string, now: number, budgetMs: number): Promise<CompactionStep> {
  await client.query('BEGIN');
  try {
    const step = await stepInTransaction(client, schema, now, budgetMs);
    await client.query('COMMIT');
    return step;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

async function stepInTransaction(client: pg.PoolClient, schema: string, now: number, budgetMs: number): Promise<CompactionStep> {
  const result: CompactionStep = { movedPoints: 0, mergedWindows: 0, more: false };
  const lock = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1::int4, hashtext($2)) AS locked', [COMPACTION_LOCK_CLASS, schema]);
  if (!lock.rows[0]?.locked) return result; // another node is compacting this schema
  const deadline = performance.now() + budgetMs;
  for (;;) {
    if (performance.now() >= deadline) return { ...result, more: true };
    const moved = await moveLegacyWindow(client);
    if (moved === undefined) break;
    result.movedPoints += moved;
  }
  const batches = (await client.query<CandidateChunk>(`${CANDIDATE_COLUMNS} WHERE level = ${CHUNK_LEVEL.batch} LIMIT ${CANDIDATES}`)).rows;
  const closed = (await client.query<CandidateChunk>(`${CANDIDATE_COLUMNS} WHERE level = ${CHUNK_LEVEL.open} AND start_ts < $1 LIMIT ${CANDIDATES}`, [closedBefore(now)])).rows;
  const windows = windowsToCompact([...batches, ...closed], now);
  for (let i = 0; i < windows.length; i += WINDOWS_PER_ROUND) {
    if (performance.now() >= deadline) return { ...result, more: true };
    result.mergedWindows += await mergeWindows(client, windows.slice(i, i + WINDOWS_PER_ROUND));
  }
  // Every window of a page is merged (or held by a writer), so a full page means more may be waiting.
  return { ...result, more: batches.length === CANDIDATES || closed.length === CANDIDATES };
}

/** Merges the windows whose series no writer holds; returns how many merged. */
async function mergeWindows(client: pg.PoolClient, windows: readonly WindowWork[]): Promise<number> {
  const locked = await client.query<{ i: number }>(LOCK_WINDOW_SERIES, [windows.map((w) => w.deviceId), windows.map((w) => w.field)]);
  const mine = locked.rows.map((r) => windows[r.i - 1]!);
  if (mine.length === 0) return 0;
  const { rows } = await client.query<StoredWindowChunk & { i: number }>(WINDOW_CHUNKS, [mine.map((w) => w.deviceId), mine.map((w) => w.field), mine.map((w) => w.start)]);
  const byWindow = mine.map((): StoredWindowChunk[] => []);
  for (const row of rows) byWindow[row.i - 1]!.push(row);
  const remove: Array<number | string> = [];
  const insert: NewChunk[] = [];
  let merged = 0;
  mine.forEach((w, i) => {
    const merge = planWindowMerge(byWindow[i]!, w.closed);
    if (!merge) return;
    merged++;
    remove.push(...merge.remove);
    for (const columns of merge.insert) insert.push({ deviceId: w.deviceId, field: w.field, columns, level: merge.level });
  });
  await deleteChunks(client, remove);
  await insertChunks(client, insert);
  return merged;
}

/** Moves one series window of the old points table into chunks; undefined when none is left (or its series is held). */
async function moveLegacyWindow(client: pg.PoolClient): Promise<number | undefined> {
  const first = (await client.query<{ device_id: string; field: string; ts: number }>('SELECT device_id, field, ts FROM points LIMIT 1')).rows[0];
  if (!first) return undefined;
  const { device_id: deviceId, field } = first;
  // A writer holding the series reads the old table to refuse repeated timestamps: wait for its commit.
  const held = await client.query('SELECT 1 FROM series WHERE device_id = $1 AND field = $2 FOR UPDATE SKIP LOCKED', [deviceId, field]);
  if (held.rowCount === 0 && (await client.query('SELECT 1 FROM series WHERE device_id = $1 AND field = $2', [deviceId, field])).rowCount !== 0) {
    return undefined;
  }
  const start = windowStart(first.ts);
  const end = start + CHUNK_WINDOW_MS;
  const window = [deviceId, field, start, end];
  const points = (await client.query<PointsTable>('SELECT * FROM points WHERE device_id = $1 AND field = $2 AND ts >= $3 AND ts < $4 ORDER BY ts', window)).rows.map(
    toPoint,
  );
  await insertChunks(
    client,
    chunkColumnsOf(points).map((columns) => ({ deviceId, field, columns, level: CHUNK_LEVEL.batch })),
  );
  await client.query('DELETE FROM points WHERE device_id = $1 AND field = $2 AND ts >= $3 AND ts < $4', window);
  // Minute rollups are computed from chunks; the stored rows of these points go with them.
  await client.query('DELETE FROM rollup_minute WHERE device_id = $1 AND field = $2 AND bucket >= $3 AND bucket < $4', window);
  return points.length;
}

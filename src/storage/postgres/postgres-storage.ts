// PostgreSQL adapter: `pg` pool, tables in DATABASE_SCHEMA, synchronous_commit=on so a resolved
// write is on disk. Telemetry is stored in the chunk layout shared with SQLite (src/storage/chunks/):
// postgres-point-writer.ts writes, postgres-compactor.ts merges and moves the old points table in the
// background, postgres-point-delete.ts deletes; reads here join chunks, the old table and rollups.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Granularity, RollupRow } from '../../domain/rollup.ts';
import type { Point } from '../../domain/telemetry.ts';
import { mergeRollupRows, minuteRollupsOfChunks, readChunkRange } from '../chunks/chunk-read.ts';
import { CompactionLoop, RecentWrites } from '../chunks/compaction-loop.ts';
import { closedBefore } from '../chunks/compaction-plan.ts';
import { minuteRollupBefore, withOldLayout } from '../chunks/layout-reads.ts';
import { pendingMigrations } from '../migration.ts';
import { mergeFieldQueries } from '../shared/point-merge.ts';
import { DEVICE_DATA_TABLES, DEVICE_REFERENCING_TABLES } from '../shared/device-tables.ts';
import { RelationalRepo } from '../shared/relational-repo.ts';
import { ROLLUP_COLUMNS, type RollupColumns, fromRollupColumns, toPoint } from '../shared/row-mapping.ts';
import type { Database, PointsTable } from '../shared/schema.ts';
import type { ChunkStats, CompactionStep, DiskUsage, PointQuery, RetentionCut, RetentionResult, RollupQuery, Storage, WriteResult } from '../storage.ts';
import { PostgresChunkSource } from './postgres-chunks.ts';
import { compactionStep } from './postgres-compactor.ts';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.ts';
import { deletePointsInTransaction } from './postgres-point-delete.ts';
import { applyRetentionInTransaction } from './postgres-retention.ts';
import { appendKnownSeries } from './postgres-append-write.ts';
import { KnownSeries, SeriesGone, writePointsInTransaction } from './postgres-point-writer.ts';

// BIGINT (20) and NUMERIC (1700) arrive as strings by default; our values fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

const MIGRATION_LOCK = 0x466c7578; // "Flux": one node migrates at a time.
/** Background compaction: how often it looks for work, and how long one step's transaction may run. */
const COMPACT_EVERY_MS = 2000;
const COMPACT_STEP_MS = 50;
/** How often a node looks again whether the old one-row-per-point table still holds points (while it does). */
const LEGACY_RECHECK_MS = 5000;

/** A series' newest point, in the points table's columns. */
const LATEST_COLUMNS = 'device_id, field, last_ts AS ts, last_num AS num, last_str AS str, last_type AS type, last_meta AS meta';

export class PostgresStorage extends RelationalRepo implements Storage {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;

  private readonly schema: string;
  private readonly chunks: PostgresChunkSource;
  private readonly knownSeries = new KnownSeries();
  private legacyEmpty = false;
  private legacyCheckedAt = Number.NEGATIVE_INFINITY;
  private readonly compaction: CompactionLoop;
  private readonly recentWrites = new RecentWrites();

  /** `compactEveryMs`: how often background compaction looks for work (default 2 s); 0: only when compact() is called. */
  constructor(url: string, schema = 'public', compactEveryMs = COMPACT_EVERY_MS) {
    const pool = new pg.Pool({
      connectionString: url,
      max: 10,
      options: `-c search_path=${schema} -c synchronous_commit=on`,
      connectionTimeoutMillis: 5000,
    });
    // A client losing its connection (PostgreSQL restarted) must not crash the process. The pool
    // listens on idle clients only; a checked-out one emits 'error' too, besides failing its query
    // (which the caller sees), and with no listener that is an uncaught exception. The pool drops
    // such a client on release, and the next query connects afresh.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    super(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }));
    this.pool = pool;
    this.schema = schema;
    this.chunks = new PostgresChunkSource(pool);
    this.compaction = new CompactionLoop(() => this.compactStep(), compactEveryMs, this.recentWrites);
  }

  private async tx<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async migrate(): Promise<number> {
    const version = await this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await c.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      const { rows } = await c.query<{ version: number }>('SELECT version FROM schema_migrations');
      const applied = new Set(rows.map((r) => r.version));
      for (const m of pendingMigrations(POSTGRES_MIGRATIONS, applied)) {
        await c.query(m.sql);
        await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
        applied.add(m.version);
      }
      return Math.max(0, ...applied);
    });
    this.compaction.start();
    return version;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async diskUsage(): Promise<DiskUsage> {
    // Tables with their indexes and TOAST; catalog lookups, cheap whatever the size.
    const { rows } = await this.pool.query<{ name: string; bytes: string }>(
      `SELECT c.relname AS name, pg_total_relation_size(c.oid)::text AS bytes FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY pg_total_relation_size(c.oid) DESC`,
      [this.schema],
    );
    const tables = rows.map((r) => ({ name: r.name, bytes: Number(r.bytes) }));
    return { totalBytes: tables.reduce((n, t) => n + t.bytes, 0), tables };
  }

  async close(): Promise<void> {
    await this.compaction.stop();
    // Kysely ends the pool only if it ever used it; a handle that only migrated or wrote points did not.
    await this.kysely.destroy();
    if (!this.pool.ended) await this.pool.end();
  }

  async deleteDevice(id: string): Promise<boolean> {
    return this.tx(async (c) => {
      // Rows that reference the device by foreign key go before it.
      for (const table of DEVICE_REFERENCING_TABLES) await c.query(`DELETE FROM ${table} WHERE device_id = $1`, [id]);
      // Then the device row: it waits for writers creating its series (they hold its KEY SHARE lock,
      // see postgres-point-writer.ts). Locking the series rows waits for the writers and compaction
      // steps holding them, so the deletes below see their points and merged chunks too.
      const existed = ((await c.query('DELETE FROM devices WHERE id = $1', [id])).rowCount ?? 0) > 0;
      await c.query('SELECT 1 FROM series WHERE device_id = $1 ORDER BY field COLLATE "C" FOR UPDATE', [id]);
      for (const table of DEVICE_DATA_TABLES) {
        await c.query(`DELETE FROM ${table} WHERE device_id = $1`, [id]);
      }
      return existed;
    });
  }

  async touchDevices(lastSeen: ReadonlyMap<string, number>): Promise<void> {
    if (lastSeen.size === 0) return;
    await this.pool.query(
      `UPDATE devices d SET last_seen = GREATEST(COALESCE(d.last_seen, 0), t.ts)
       FROM unnest($1::text[], $2::bigint[]) AS t(id, ts) WHERE d.id = t.id`,
      [[...lastSeen.keys()], [...lastSeen.values()]],
    );
  }

  async writePoints(points: readonly Point[]): Promise<WriteResult> {
    if (points.length === 0) return { inserted: 0, duplicates: 0 };
    this.recentWrites.noteWrite();
    let outcome = await appendKnownSeries(this.pool, points, this.knownSeries);
    if (outcome) return { inserted: outcome.inserted, duplicates: points.length - outcome.inserted };
    try {
      outcome = await this.tx((c) => writePointsInTransaction(c, points, this.knownSeries));
    } catch (err) {
      if (!(err instanceof SeriesGone)) throw err;
      this.knownSeries.forget(err.keys);
      outcome = await this.tx((c) => writePointsInTransaction(c, points));
    }
    this.knownSeries.add(outcome.series);
    return { inserted: outcome.inserted, duplicates: points.length - outcome.inserted };
  }

  async queryPoints(query: PointQuery): Promise<Point[]> {
    const fields = query.fields?.length ? query.fields : await this.fieldsOf(query.deviceId);
    // The one-row-per-point table of earlier versions, read until compaction has emptied it.
    const legacy = `SELECT * FROM points WHERE device_id = $1 AND field = $2 AND ts >= $3 AND ts < $4
      ORDER BY ts ${query.order === 'asc' ? 'ASC' : 'DESC'} LIMIT $5`;
    const hasLegacy = await this.legacyPointsLeft();
    return mergeFieldQueries(query, fields, async (field, lower, upper, limit) => {
      const old = hasLegacy ? (await this.pool.query<PointsTable>(legacy, [query.deviceId, field, lower, upper, limit])).rows.map(toPoint) : [];
      return withOldLayout(await readChunkRange(this.chunks, query.deviceId, field, lower, upper, query.order, limit), old);
    });
  }

  /**
   * Whether the old one-row-per-point table may still hold points. Nothing writes to it any more, so
   * once it is found empty (compaction moved everything, on any node) it is never read again; until
   * then it is looked at again at most every LEGACY_RECHECK_MS, and read meanwhile.
   */
  private async legacyPointsLeft(): Promise<boolean> {
    if (this.legacyEmpty) return false;
    const now = Date.now();
    if (now - this.legacyCheckedAt < LEGACY_RECHECK_MS) return true;
    this.legacyCheckedAt = now;
    const { rows } = await this.pool.query<{ left: boolean }>('SELECT EXISTS (SELECT 1 FROM points) AS left');
    this.legacyEmpty = !rows[0]!.left;
    return !this.legacyEmpty;
  }

  async latestPoints(deviceId: string): Promise<Point[]> {
    const { rows } = await this.pool.query<PointsTable>(
      `SELECT ${LATEST_COLUMNS} FROM series WHERE device_id = $1 AND last_ts IS NOT NULL ORDER BY field`,
      [deviceId],
    );
    return rows.map(toPoint);
  }

  async latestPointsOf(deviceIds: readonly string[], fields?: readonly string[]): Promise<Point[]> {
    if (deviceIds.length === 0 || fields?.length === 0) return [];
    const { rows } = await this.pool.query<PointsTable>(
      `SELECT ${LATEST_COLUMNS} FROM series
       WHERE device_id = ANY($1::text[]) AND ($2::text[] IS NULL OR field = ANY($2::text[])) AND last_ts IS NOT NULL
       ORDER BY device_id COLLATE "C", field COLLATE "C"`,
      [deviceIds, fields ?? null],
    );
    return rows.map(toPoint);
  }

  async readRollups(q: RollupQuery): Promise<RollupRow[]> {
    const table = q.granularity === 'minute' ? 'rollup_minute' : 'rollup_hour';
    const { rows } = await this.pool.query<RollupColumns>({
      name: `fluxgate-${table}-range`,
      text: `SELECT ${ROLLUP_COLUMNS} FROM ${table} WHERE device_id = $1 AND field = $2 AND bucket >= $3 AND bucket < $4 ORDER BY bucket`,
      values: [q.deviceId, q.field, q.start, q.end],
      rowMode: 'array',
    });
    const stored = rows.map(fromRollupColumns);
    if (q.granularity === 'hour') return stored;
    return mergeRollupRows(stored, await minuteRollupsOfChunks(this.chunks, q.deviceId, q.field, q.start, q.end));
  }

  async rollupBefore(deviceId: string, field: string, granularity: Granularity, before: number): Promise<RollupRow | undefined> {
    const table = granularity === 'minute' ? 'rollup_minute' : 'rollup_hour';
    const { rows } = await this.pool.query<RollupColumns>({
      name: `fluxgate-${table}-before`,
      text: `SELECT ${ROLLUP_COLUMNS} FROM ${table} WHERE device_id = $1 AND field = $2 AND bucket < $3 ORDER BY bucket DESC LIMIT 1`,
      values: [deviceId, field, before],
      rowMode: 'array',
    });
    const stored = rows[0] ? fromRollupColumns(rows[0]) : undefined;
    if (granularity === 'hour') return stored;
    return minuteRollupBefore(this.chunks, stored, deviceId, field, before, (start, end) => this.readRollups({ deviceId, field, granularity, start, end }));
  }

  private async compactStep(): Promise<CompactionStep> {
    const client = await this.pool.connect();
    try {
      return await compactionStep(client, this.schema, Date.now(), COMPACT_STEP_MS);
    } finally {
      client.release();
    }
  }

  compact(): Promise<{ movedPoints: number; mergedWindows: number }> {
    return this.compaction.compact();
  }

  applyRetention(cuts: readonly RetentionCut[]): Promise<RetentionResult> {
    return this.tx((client) => applyRetentionInTransaction(client, cuts));
  }

  async chunkStats(): Promise<ChunkStats> {
    const { rows } = await this.pool.query<{ chunks: number; batches: number; closed: number; old: number }>(
      `SELECT (SELECT COUNT(*) FROM chunks) AS chunks, (SELECT COUNT(*) FROM chunks WHERE level = 0) AS batches,
              (SELECT COUNT(*) FROM chunks WHERE level = 1 AND start_ts < $1) AS closed, (SELECT COUNT(*) FROM points) AS old`,
      [closedBefore(Date.now())],
    );
    const r = rows[0]!;
    return { chunks: Number(r.chunks), backlog: Number(r.batches) + Number(r.closed), oldLayoutPoints: Number(r.old) };
  }

  async deletePoints(deviceId: string, start: number, end: number): Promise<number> {
    return this.tx((c) => deletePointsInTransaction(c, deviceId, start, end));
  }
}

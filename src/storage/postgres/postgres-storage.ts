// PostgreSQL adapter: `pg` pool, tables in DATABASE_SCHEMA, synchronous_commit=on so a resolved
// write is on disk. Points and rollups go in with one array-parameter statement each (unnest).
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { type BatchRollup, type Granularity, GRANULARITY_MS, type RollupRow, rollupBatch } from '../../domain/rollup.ts';
import type { Point } from '../../domain/telemetry.ts';
import { HOUR } from '../../domain/time.ts';
import { pendingMigrations } from '../migration.ts';
import { mergeFieldQueries } from '../shared/point-merge.ts';
import { DEVICE_DATA_TABLES, DEVICE_REFERENCING_TABLES } from '../shared/device-tables.ts';
import { RelationalRepo } from '../shared/relational-repo.ts';
import { toPoint, toRollupRow, valueColumns } from '../shared/row-mapping.ts';
import type { Database, PointsTable, RollupTable } from '../shared/schema.ts';
import type { ChunkStats, RetentionCut, RetentionResult, DiskUsage, PointQuery, RollupQuery, Storage, WriteResult } from '../storage.ts';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.ts';

// BIGINT (20) and NUMERIC (1700) arrive as strings by default; our values fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

const MIGRATION_LOCK = 0x466c7578; // "Flux": one node migrates at a time.

const ROLLUP_UPSERT = (table: string) => `
INSERT INTO ${table} (device_id, field, bucket, count, sum, min, max, first_ts, first, last_ts, last)
SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::float8[], $6::float8[], $7::float8[],
                     $8::bigint[], $9::float8[], $10::bigint[], $11::float8[])
ON CONFLICT (device_id, field, bucket) DO UPDATE SET
  count = ${table}.count + excluded.count,
  sum = ${table}.sum + excluded.sum,
  min = LEAST(${table}.min, excluded.min),
  max = GREATEST(${table}.max, excluded.max),
  first = CASE WHEN excluded.first_ts < ${table}.first_ts THEN excluded.first ELSE ${table}.first END,
  first_ts = LEAST(${table}.first_ts, excluded.first_ts),
  last = CASE WHEN excluded.last_ts >= ${table}.last_ts THEN excluded.last ELSE ${table}.last END,
  last_ts = GREATEST(${table}.last_ts, excluded.last_ts)`;

// Points and their series in one statement. Every series of the batch is ensured, not only new ones:
// another node may have deleted the device since, and no per-node cache can know that. Points of a
// device that no longer exists are dropped: the KEY SHARE lock makes a concurrent deleteDevice (which
// deletes the device row first) wait for this commit and then delete these points too, or, when it
// committed first, leaves the row invisible here, so no orphan points outlive their device.
const INSERT_POINTS = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::float8[], $5::text[], $6::smallint[], $7::text[])
    AS t(device_id, field, ts, num, str, type, meta)
), live AS (
  SELECT id FROM devices WHERE id IN (SELECT DISTINCT device_id FROM input) FOR KEY SHARE
), batch AS (
  SELECT * FROM input WHERE device_id IN (SELECT id FROM live)
), new_series AS (
  INSERT INTO series (device_id, field, type)
  SELECT DISTINCT ON (device_id, field) device_id, field, type FROM batch
  ON CONFLICT DO NOTHING
)
INSERT INTO points (device_id, field, ts, num, str, type, meta)
SELECT * FROM batch
ON CONFLICT DO NOTHING
RETURNING device_id, field, ts, num, str, type, meta`;

export class PostgresStorage extends RelationalRepo implements Storage {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;

  private readonly schema: string;

  constructor(url: string, schema = 'public') {
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
    return this.tx(async (c) => {
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
    // Kysely ends the pool only if it ever used it; a handle that only migrated or wrote points did not.
    await this.kysely.destroy();
    if (!this.pool.ended) await this.pool.end();
  }

  async deleteDevice(id: string): Promise<boolean> {
    return this.tx(async (c) => {
      // Rows that reference the device by foreign key go before it.
      for (const table of DEVICE_REFERENCING_TABLES) await c.query(`DELETE FROM ${table} WHERE device_id = $1`, [id]);
      // Then the device row: it waits for writers holding its KEY SHARE lock (see INSERT_POINTS),
      // so the deletes below see their points.
      const existed = ((await c.query('DELETE FROM devices WHERE id = $1', [id])).rowCount ?? 0) > 0;
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

  private async upsertRollups(c: pg.PoolClient, rollups: BatchRollup[], granularity: Granularity): Promise<void> {
    if (rollups.length === 0) return;
    const cols: unknown[][] = Array.from({ length: 11 }, () => []);
    for (const r of rollups) {
      const row = [r.deviceId, r.field, r.bucket, r.count, r.sum, r.min, r.max, r.firstTs, r.first, r.lastTs, r.last];
      row.forEach((v, i) => cols[i]!.push(v));
    }
    await c.query(ROLLUP_UPSERT(granularity === 'minute' ? 'rollup_minute' : 'rollup_hour'), cols);
  }

  async writePoints(points: readonly Point[]): Promise<WriteResult> {
    if (points.length === 0) return { inserted: 0, duplicates: 0 };
    const cols: unknown[][] = Array.from({ length: 7 }, () => []);
    for (const p of points) {
      const v = valueColumns(p.value);
      cols[0]!.push(p.deviceId);
      cols[1]!.push(p.field);
      cols[2]!.push(p.ts);
      cols[3]!.push(v.num);
      cols[4]!.push(v.str);
      cols[5]!.push(v.type);
      cols[6]!.push(p.meta);
    }
    const inserted = await this.tx(async (c) => {
      const { rows } = await c.query<PointsTable>(INSERT_POINTS, cols);
      const stored = rows.map(toPoint);
      await this.upsertRollups(c, rollupBatch(stored, 'minute'), 'minute');
      await this.upsertRollups(c, rollupBatch(stored, 'hour'), 'hour');
      return stored.length;
    });
    return { inserted, duplicates: points.length - inserted };
  }

  async queryPoints(query: PointQuery): Promise<Point[]> {
    const fields = query.fields?.length ? query.fields : await this.fieldsOf(query.deviceId);
    const sql = `SELECT * FROM points WHERE device_id = $1 AND field = $2 AND ts >= $3 AND ts < $4
      ORDER BY ts ${query.order === 'asc' ? 'ASC' : 'DESC'} LIMIT $5`;
    return mergeFieldQueries(query, fields, async (field, lower, upper, limit) => {
      const { rows } = await this.pool.query<PointsTable>(sql, [query.deviceId, field, lower, upper, limit]);
      return rows.map(toPoint);
    });
  }

  async latestPoints(deviceId: string): Promise<Point[]> {
    const { rows } = await this.pool.query<PointsTable>(
      `SELECT p.* FROM series s CROSS JOIN LATERAL (
         SELECT * FROM points WHERE device_id = s.device_id AND field = s.field ORDER BY ts DESC LIMIT 1
       ) p WHERE s.device_id = $1 ORDER BY s.field`,
      [deviceId],
    );
    return rows.map(toPoint);
  }

  async latestPointsOf(deviceIds: readonly string[], fields?: readonly string[]): Promise<Point[]> {
    if (deviceIds.length === 0 || fields?.length === 0) return [];
    const { rows } = await this.pool.query<PointsTable>(
      `SELECT p.* FROM series s CROSS JOIN LATERAL (
         SELECT * FROM points WHERE device_id = s.device_id AND field = s.field ORDER BY ts DESC LIMIT 1
       ) p WHERE s.device_id = ANY($1::text[]) AND ($2::text[] IS NULL OR s.field = ANY($2::text[]))
       ORDER BY s.device_id COLLATE "C", s.field COLLATE "C"`,
      [deviceIds, fields ?? null],
    );
    return rows.map(toPoint);
  }

  async readRollups(q: RollupQuery): Promise<RollupRow[]> {
    const table = q.granularity === 'minute' ? 'rollup_minute' : 'rollup_hour';
    const { rows } = await this.pool.query<RollupTable>(
      `SELECT * FROM ${table} WHERE device_id = $1 AND field = $2 AND bucket >= $3 AND bucket < $4 ORDER BY bucket`,
      [q.deviceId, q.field, q.start, q.end],
    );
    return rows.map(toRollupRow);
  }

  async rollupBefore(deviceId: string, field: string, granularity: Granularity, before: number): Promise<RollupRow | undefined> {
    const table = granularity === 'minute' ? 'rollup_minute' : 'rollup_hour';
    const { rows } = await this.pool.query<RollupTable>(
      `SELECT * FROM ${table} WHERE device_id = $1 AND field = $2 AND bucket < $3 ORDER BY bucket DESC LIMIT 1`,
      [deviceId, field, before],
    );
    return rows[0] ? toRollupRow(rows[0]) : undefined;
  }

  /** PostgreSQL still stores a row per point (the chunk layout is SQLite's so far): nothing to compact. */
  async compact(): Promise<{ movedPoints: number; mergedWindows: number }> {
    return { movedPoints: 0, mergedWindows: 0 };
  }

  async applyRetention(_cuts: readonly RetentionCut[]): Promise<RetentionResult> {
    return { droppedChunks: 0, droppedPoints: 0, keptMinuteRows: 0, droppedRollupRows: 0 };
  }

  async chunkStats(): Promise<ChunkStats> {
    return { chunks: 0, backlog: 0, oldLayoutPoints: 0 };
  }

  async deletePoints(deviceId: string, start: number, end: number): Promise<number> {
    const lo = Math.floor(start / HOUR) * HOUR;
    const hi = Math.ceil(end / HOUR) * HOUR;
    return this.tx(async (c) => {
      const deleted = (await c.query('DELETE FROM points WHERE device_id = $1 AND ts >= $2 AND ts < $3', [deviceId, start, end]))
        .rowCount;
      for (const table of ['rollup_minute', 'rollup_hour']) {
        await c.query(`DELETE FROM ${table} WHERE device_id = $1 AND bucket >= $2 AND bucket < $3`, [deviceId, lo, hi]);
      }
      const { rows } = await c.query<PointsTable>(
        'SELECT * FROM points WHERE device_id = $1 AND ((ts >= $2 AND ts < $3) OR (ts >= $4 AND ts < $5))',
        [deviceId, lo, start, end, hi],
      );
      const rest = rows.map(toPoint);
      for (const g of Object.keys(GRANULARITY_MS) as Granularity[]) await this.upsertRollups(c, rollupBatch(rest, g), g);
      return deleted ?? 0;
    });
  }
}

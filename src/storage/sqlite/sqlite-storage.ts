// SQLite adapter: better-sqlite3 in WAL mode with synchronous=FULL, so a resolved write is on disk.
// Writes are synchronous and short; the ingest pipeline batches them (group commit).
import { statSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Granularity, RollupRow } from '../../domain/rollup.ts';
import type { Point } from '../../domain/telemetry.ts';
import { mergeRollupRows, minuteRollupsOfChunks, readChunkRange } from '../chunks/chunk-read.ts';
import { CompactionLoop, RecentWrites } from '../chunks/compaction-loop.ts';
import { minuteRollupBefore, withOldLayout } from '../chunks/layout-reads.ts';
import { pendingMigrations } from '../migration.ts';
import { mergeFieldQueries } from '../shared/point-merge.ts';
import { DEVICE_DATA_TABLES, DEVICE_REFERENCING_TABLES } from '../shared/device-tables.ts';
import { RelationalRepo } from '../shared/relational-repo.ts';
import { ROLLUP_COLUMNS, type RollupColumns, fromRollupColumns, toPoint } from '../shared/row-mapping.ts';
import type { Database, PointsTable } from '../shared/schema.ts';
import { closedBefore } from '../chunks/compaction-plan.ts';
import type { ChunkStats, CompactionStep, DiskUsage, RetentionCut, RetentionResult, PointQuery, RollupQuery, Storage, WriteResult } from '../storage.ts';
import { SqlitePointWriter } from './point-writer.ts';
import { SqliteChunkStatements } from './sqlite-chunk-statements.ts';
import { SqliteCompactor } from './sqlite-compactor.ts';
import { SqlitePointDelete } from './sqlite-point-delete.ts';
import { SqliteRetention } from './sqlite-retention.ts';
import { WRITER_CACHE_MIB, openSqliteConnection } from './sqlite-connection.ts';
import { SQLITE_MIGRATIONS } from './sqlite-migrations.ts';
import { SqliteWriter } from './sqlite-writer.ts';

/** A series' newest point, in the points table's columns. */
const LATEST_COLUMNS = 'device_id, field, last_ts AS ts, last_num AS num, last_str AS str, last_type AS type, last_meta AS meta';
const LATEST_OF = (fieldFilter: string) => `
SELECT ${LATEST_COLUMNS} FROM series
WHERE device_id IN (SELECT value FROM json_each(?)) ${fieldFilter} AND last_ts IS NOT NULL
ORDER BY device_id, field`;
/** Background compaction: how often it looks for work, and how long one step may hold the write lock. */
const COMPACT_EVERY_MS = 2000;
// Short: a step holds the writer thread, and a group commit queued behind it waits for it.
const COMPACT_STEP_MS = 5;

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

export interface SqliteOptions {
  /**
   * Commit telemetry on a writer thread with its own connection (the commit's fsync then does not
   * stop this thread's event loop). Off for ':memory:', which a second connection cannot share.
   */
  writerThread?: boolean;
  /** How often background compaction looks for work (default 2 s); 0: only when compact() is called. */
  compactEveryMs?: number;
}

export class SqliteStorage extends RelationalRepo implements Storage {
  readonly kind = 'sqlite' as const;
  private readonly db: BetterSqlite3.Database;
  private statements?: ReturnType<SqliteStorage['prepare']>;
  private pointWriter?: SqlitePointWriter;
  private compactor?: SqliteCompactor;
  private readonly recentWrites = new RecentWrites();
  private pointDelete?: SqlitePointDelete;
  private retention?: SqliteRetention;
  private chunkStatements?: SqliteChunkStatements;
  private readonly compaction: CompactionLoop;
  private readonly writerThread: SqliteWriter | undefined;

  constructor(
    readonly file: string,
    private readonly options: SqliteOptions = {},
  ) {
    const writerThread = options.writerThread === true && file !== ':memory:';
    // Without the writer thread this connection commits telemetry itself and gets the writer's cache.
    const db = openSqliteConnection(file, writerThread ? {} : { cacheMiB: WRITER_CACHE_MIB });
    // SQLite's built-in lower() folds ASCII only; fold like PostgreSQL so device search finds "Küche" by "KÜCHE".
    db.function('lower', { deterministic: true }, (text: unknown) => (typeof text === 'string' ? text.toLowerCase() : text));
    super(new Kysely<Database>({ dialect: new SqliteDialect({ database: db }) }));
    this.db = db;
    this.writerThread = writerThread ? new SqliteWriter(file) : undefined;
    this.compaction = new CompactionLoop(() => this.compactStep(), options.compactEveryMs ?? COMPACT_EVERY_MS, this.recentWrites);
  }

  private prepare() {
    const db = this.db;
    return {
      // The one-row-per-point table of earlier versions, read until compaction has emptied it.
      legacy: {
        asc: db.prepare('SELECT * FROM points WHERE device_id = ? AND field = ? AND ts >= ? AND ts < ? ORDER BY ts ASC LIMIT ?'),
        desc: db.prepare('SELECT * FROM points WHERE device_id = ? AND field = ? AND ts >= ? AND ts < ? ORDER BY ts DESC LIMIT ?'),
      },
      latest: db.prepare(`SELECT ${LATEST_COLUMNS} FROM series WHERE device_id = ? AND last_ts IS NOT NULL ORDER BY field`),
      latestOf: db.prepare(LATEST_OF('')),
      latestOfFields: db.prepare(LATEST_OF('AND field IN (SELECT value FROM json_each(?))')),
      // Rows as arrays of the accumulator's columns: better-sqlite3 builds an object per row with
      // every column named (device_id and field included) at ~3× the cost; a 30-day hourly
      // aggregate reads 720 of them.
      rollups: {
        minute: db
          .prepare(`SELECT ${ROLLUP_COLUMNS} FROM rollup_minute WHERE device_id = ? AND field = ? AND bucket >= ? AND bucket < ? ORDER BY bucket`)
          .raw(true),
        hour: db
          .prepare(`SELECT ${ROLLUP_COLUMNS} FROM rollup_hour WHERE device_id = ? AND field = ? AND bucket >= ? AND bucket < ? ORDER BY bucket`)
          .raw(true),
      },
      rollupBefore: {
        minute: db
          .prepare(`SELECT ${ROLLUP_COLUMNS} FROM rollup_minute WHERE device_id = ? AND field = ? AND bucket < ? ORDER BY bucket DESC LIMIT 1`)
          .raw(true),
        hour: db
          .prepare(`SELECT ${ROLLUP_COLUMNS} FROM rollup_hour WHERE device_id = ? AND field = ? AND bucket < ? ORDER BY bucket DESC LIMIT 1`)
          .raw(true),
      },
      touch: db.prepare('UPDATE devices SET last_seen = MAX(COALESCE(last_seen, 0), ?) WHERE id = ?'),
    };
  }

  private get stmt() {
    this.statements ??= this.prepare();
    return this.statements;
  }

  async migrate(): Promise<number> {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    // IMMEDIATE takes the write lock first, so two processes migrating one file do not collide.
    const version = this.db
      .transaction(() => {
        const applied = new Set((this.db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
        for (const m of pendingMigrations(SQLITE_MIGRATIONS, applied)) {
          this.db.exec(m.sql);
          this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
          applied.add(m.version);
        }
        return Math.max(0, ...applied);
      })
      .immediate();
    this.writerThread?.start(); // the schema is there now: the thread can prepare its statements
    this.compaction.start();
    return version;
  }

  async diskUsage(options: { perTable?: boolean } = {}): Promise<DiskUsage> {
    const pages = (this.db.pragma('page_count', { simple: true }) as number) * (this.db.pragma('page_size', { simple: true }) as number);
    const wal = this.file === ':memory:' ? 0 : fileSize(`${this.file}-wal`);
    if (!options.perTable) return { totalBytes: pages + wal, tables: [] };
    const tables = this.db
      .prepare(
        `SELECT s.tbl_name AS name, SUM(d.pgsize) AS bytes FROM dbstat d JOIN sqlite_schema s ON s.name = d.name
         GROUP BY s.tbl_name ORDER BY bytes DESC`,
      )
      .all() as Array<{ name: string; bytes: number }>;
    return { totalBytes: pages + wal, tables };
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    await this.compaction.stop();
    await this.writerThread?.close();
    if (this.db.open) this.db.close();
  }

  async deleteDevice(id: string): Promise<boolean> {
    return this.db.transaction(() => {
      for (const table of [...DEVICE_REFERENCING_TABLES, ...DEVICE_DATA_TABLES]) {
        this.db.prepare(`DELETE FROM ${table} WHERE device_id = ?`).run(id);
      }
      return this.db.prepare('DELETE FROM devices WHERE id = ?').run(id).changes > 0;
    }).immediate();
  }

  async touchDevices(lastSeen: ReadonlyMap<string, number>): Promise<void> {
    if (lastSeen.size === 0) return;
    this.db.transaction(() => {
      for (const [id, ts] of lastSeen) this.stmt.touch.run(ts, id);
    }).immediate();
  }

  async writePoints(points: readonly Point[]): Promise<WriteResult> {
    if (points.length === 0) return { inserted: 0, duplicates: 0 };
    this.recentWrites.noteWrite();
    if (this.writerThread) return this.writerThread.write(points);
    this.pointWriter ??= new SqlitePointWriter(this.db);
    return this.pointWriter.write(points);
  }

  private get chunks(): SqliteChunkStatements {
    this.chunkStatements ??= new SqliteChunkStatements(this.db);
    return this.chunkStatements;
  }

  private compactStep(): Promise<CompactionStep> {
    if (this.writerThread) return this.writerThread.compactStep(Date.now(), COMPACT_STEP_MS);
    this.compactor ??= new SqliteCompactor(this.db);
    return Promise.resolve(this.compactor.step(Date.now(), COMPACT_STEP_MS));
  }

  compact(): Promise<{ movedPoints: number; mergedWindows: number }> {
    return this.compaction.compact();
  }

  async applyRetention(cuts: readonly RetentionCut[]): Promise<RetentionResult> {
    this.retention ??= new SqliteRetention(this.db);
    return this.retention.apply(cuts);
  }

  async chunkStats(): Promise<ChunkStats> {
    const count = (sql: string, ...args: unknown[]) => this.db.prepare(sql).pluck().get(...args) as number;
    return {
      chunks: count('SELECT COUNT(*) FROM chunks'),
      backlog: count('SELECT COUNT(*) FROM chunks WHERE level = 0') + count('SELECT COUNT(*) FROM chunks WHERE level = 1 AND start_ts < ?', closedBefore(Date.now())),
      oldLayoutPoints: count('SELECT COUNT(*) FROM points'),
    };
  }

  async queryPoints(query: PointQuery): Promise<Point[]> {
    const fields = query.fields?.length ? query.fields : await this.fieldsOf(query.deviceId);
    const legacy = this.stmt.legacy[query.order];
    return mergeFieldQueries(query, fields, async (field, lower, upper, limit) => {
      const old = (legacy.all(query.deviceId, field, lower, upper, limit) as PointsTable[]).map(toPoint);
      return withOldLayout(await readChunkRange(this.chunks, query.deviceId, field, lower, upper, query.order, limit), old);
    });
  }

  async latestPoints(deviceId: string): Promise<Point[]> {
    return (this.stmt.latest.all(deviceId) as PointsTable[]).map(toPoint);
  }

  async latestPointsOf(deviceIds: readonly string[], fields?: readonly string[]): Promise<Point[]> {
    if (deviceIds.length === 0 || fields?.length === 0) return [];
    const stmt = fields ? this.stmt.latestOfFields : this.stmt.latestOf;
    const args = fields ? [JSON.stringify(deviceIds), JSON.stringify(fields)] : [JSON.stringify(deviceIds)];
    return (stmt.all(...args) as PointsTable[]).map(toPoint);
  }

  async readRollups(q: RollupQuery): Promise<RollupRow[]> {
    const stored = (this.stmt.rollups[q.granularity].all(q.deviceId, q.field, q.start, q.end) as RollupColumns[]).map(fromRollupColumns);
    if (q.granularity === 'hour') return stored;
    return mergeRollupRows(stored, await minuteRollupsOfChunks(this.chunks, q.deviceId, q.field, q.start, q.end));
  }

  async rollupBefore(deviceId: string, field: string, granularity: Granularity, before: number): Promise<RollupRow | undefined> {
    const row = this.stmt.rollupBefore[granularity].get(deviceId, field, before) as RollupColumns | undefined;
    const stored = row ? fromRollupColumns(row) : undefined;
    if (granularity === 'hour') return stored;
    return minuteRollupBefore(this.chunks, stored, deviceId, field, before, (start, end) => this.readRollups({ deviceId, field, granularity, start, end }));
  }

  async deletePoints(deviceId: string, start: number, end: number): Promise<number> {
    this.pointDelete ??= new SqlitePointDelete(this.db);
    return this.pointDelete.run(deviceId, start, end);
  }
}

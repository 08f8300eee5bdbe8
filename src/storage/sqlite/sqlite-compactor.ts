// Compaction on a SQLite connection (the writer thread's when there is one, so it queues behind group
// commits instead of competing for the lock): merges chunks per series window, and moves the points
// of the old one-row-per-point table into chunks in the background, window by window. Each step is
// one short IMMEDIATE transaction; queries read chunks and the old table together meanwhile.
import type BetterSqlite3 from 'better-sqlite3';
import type { ChunkColumns } from '../chunks/chunk-codec.ts';
import { CHUNK_LEVEL, CHUNK_WINDOW_MS, windowStart } from '../chunks/chunk-layout.ts';
import { type CandidateChunk, type WindowChunk, type WindowWork, chunksToMerge, closedBefore, windowsToCompact } from '../chunks/compaction-plan.ts';
import { chunkColumnsOf } from '../chunks/series-batch.ts';
import { type StoredWindowChunk, planWindowMerge } from '../chunks/window-merge.ts';
import { toPoint } from '../shared/row-mapping.ts';
import type { PointsTable } from '../shared/schema.ts';
import type { CompactionStep } from '../storage.ts';
import { SqliteChunkStatements } from './sqlite-chunk-statements.ts';

// A page each step re-reads: small, as a step may only get through a few windows in its budget.
const CANDIDATES = 256;
/** Free pages kept for the next group commits; beyond them, a finished pass returns pages to the file system. */
const FREE_PAGES_KEPT = 1024;

export class SqliteCompactor {
  private readonly chunks: SqliteChunkStatements;
  private readonly batchChunks: BetterSqlite3.Statement;
  private readonly closedChunks: BetterSqlite3.Statement;
  private readonly windowChunks: BetterSqlite3.Statement;
  private readonly chunkData: BetterSqlite3.Statement;
  private readonly legacyFirst: BetterSqlite3.Statement;
  private readonly legacyWindow: BetterSqlite3.Statement;
  private readonly legacyDelete: BetterSqlite3.Statement;
  private readonly minuteDelete: BetterSqlite3.Statement;
  private readonly transaction: (now: number, budgetMs: number) => CompactionStep;

  private readonly freePages: BetterSqlite3.Statement;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.freePages = db.prepare('PRAGMA freelist_count').pluck();
    this.chunks = new SqliteChunkStatements(db);
    const candidates = `SELECT device_id AS deviceId, field, start_ts AS startTs, level FROM chunks`;
    this.batchChunks = db.prepare(`${candidates} WHERE level = ${CHUNK_LEVEL.batch} LIMIT ${CANDIDATES}`);
    this.closedChunks = db.prepare(`${candidates} WHERE level = ${CHUNK_LEVEL.open} AND start_ts < ? LIMIT ${CANDIDATES}`);
    this.windowChunks = db.prepare(
      'SELECT rowid AS id, level, count, start_ts AS startTs FROM chunks WHERE device_id = ? AND field = ? AND start_ts >= ? AND start_ts < ?',
    );
    this.chunkData = db.prepare('SELECT data FROM chunks WHERE rowid = ?').pluck();
    this.legacyFirst = db.prepare('SELECT device_id, field, ts FROM points LIMIT 1');
    this.legacyWindow = db.prepare('SELECT * FROM points WHERE device_id = ? AND field = ? AND ts >= ? AND ts < ? ORDER BY ts');
    this.legacyDelete = db.prepare('DELETE FROM points WHERE device_id = ? AND field = ? AND ts >= ? AND ts < ?');
    this.minuteDelete = db.prepare('DELETE FROM rollup_minute WHERE device_id = ? AND field = ? AND bucket >= ? AND bucket < ?');
    const tx = db.transaction((now: number, budgetMs: number) => this.stepInTransaction(now, budgetMs));
    this.transaction = (now, budgetMs) => tx.immediate(now, budgetMs);
  }

  /** One pass of at most about `budgetMs`; `more` when work is left. */
  step(now: number, budgetMs: number): CompactionStep {
    const step = this.transaction(now, budgetMs);
    const free = this.freePages.get() as number;
    if (!step.more && free > 2 * FREE_PAGES_KEPT) this.db.pragma(`incremental_vacuum(${free - FREE_PAGES_KEPT})`);
    return step;
  }

  private stepInTransaction(now: number, budgetMs: number): CompactionStep {
    const deadline = performance.now() + budgetMs;
    const result: CompactionStep = { movedPoints: 0, mergedWindows: 0, more: false };
    for (;;) {
      if (performance.now() >= deadline) return { ...result, more: true };
      const moved = this.moveLegacyWindow();
      if (moved === undefined) break;
      result.movedPoints += moved;
    }
    const batches = this.batchChunks.all() as CandidateChunk[];
    const closed = this.closedChunks.all(closedBefore(now)) as CandidateChunk[];
    for (const w of windowsToCompact([...batches, ...closed], now)) {
      if (performance.now() >= deadline) return { ...result, more: true };
      if (this.mergeWindow(w)) result.mergedWindows++;
    }
    // Every window of a page is merged, so a full page means more may be waiting behind it.
    return { ...result, more: batches.length === CANDIDATES || closed.length === CANDIDATES };
  }

  private mergeWindow(w: WindowWork): boolean {
    // The payloads of the chunks this merge takes only: an open day's full merged chunks stay unread.
    const all = this.windowChunks.all(w.deviceId, w.field, w.start, w.start + CHUNK_WINDOW_MS) as WindowChunk[];
    const picked: StoredWindowChunk[] = chunksToMerge(all, w.closed).map((c) => ({ ...c, data: this.chunkData.get(c.id) as Uint8Array }));
    const merge = planWindowMerge(picked, w.closed);
    if (!merge) return false;
    for (const id of merge.remove) this.chunks.deleteRow.run(id);
    for (const part of merge.insert) this.chunks.insertChunk(w.deviceId, w.field, part, merge.level);
    return true;
  }

  /** Moves one series window of the old points table into chunks; undefined when it is empty. */
  private moveLegacyWindow(): number | undefined {
    const first = this.legacyFirst.get() as { device_id: string; field: string; ts: number } | undefined;
    if (!first) return undefined;
    const start = windowStart(first.ts);
    const end = start + CHUNK_WINDOW_MS;
    const points = (this.legacyWindow.all(first.device_id, first.field, start, end) as PointsTable[]).map(toPoint);
    const columns: ChunkColumns[] = chunkColumnsOf(points);
    for (const c of columns) this.chunks.insertChunk(first.device_id, first.field, c, CHUNK_LEVEL.batch);
    this.legacyDelete.run(first.device_id, first.field, start, end);
    // Minute rollups are computed from chunks; the stored rows of these points go with them.
    this.minuteDelete.run(first.device_id, first.field, start, end);
    return points.length;
  }
}

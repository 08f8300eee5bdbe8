// Opens a SQLite file the way every Fluxgate connection must: WAL with synchronous=FULL, so a
// committed write is on disk before anyone is told it is stored.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

/** Page cache of the connection that commits telemetry. */
export const WRITER_CACHE_MIB = 32;

export interface ConnectionTuning {
  /** Page cache of this connection in MiB (SQLite's default is 2). */
  cacheMiB?: number;
}

export function openSqliteConnection(file: string, tuning: ConnectionTuning = {}): BetterSqlite3.Database {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new BetterSqlite3(file);
  // Compaction frees the pages of the chunks it merges; with incremental auto-vacuum (settable only
  // before the first table exists, so on new databases) it hands them back to the file system.
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  // Checkpoint the WAL every ~40 MB instead of every ~4 MB: group commits of a few thousand points
  // rewrite the same B-tree leaves commit after commit, and a checkpoint copies (and fsyncs) each
  // page once however often it was rewritten in between. Each commit still fsyncs the WAL.
  db.pragma('wal_autocheckpoint = 10000');
  if (tuning.cacheMiB !== undefined) db.pragma(`cache_size = ${-1024 * tuning.cacheMiB}`);
  return db;
}

import path from 'node:path';
import { PostgresStorage } from './postgres/postgres-storage.ts';
import { SqliteStorage } from './sqlite/sqlite-storage.ts';
import type { Storage } from './storage.ts';

export interface StorageSettings {
  DATA_DIR: string;
  DATABASE_URL?: string | undefined;
  DATABASE_SCHEMA: string;
  /** SQLite only; see SqliteOptions.writerThread. */
  SQLITE_WRITER_THREAD?: boolean;
}

/** PostgreSQL when DATABASE_URL is set, else SQLite at DATA_DIR/fluxgate.db. */
export function openStorage(settings: StorageSettings): Storage {
  if (settings.DATABASE_URL) return new PostgresStorage(settings.DATABASE_URL, settings.DATABASE_SCHEMA);
  return new SqliteStorage(path.join(settings.DATA_DIR, 'fluxgate.db'), { writerThread: settings.SQLITE_WRITER_THREAD ?? true });
}

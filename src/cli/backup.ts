// `fluxgate backup` and `fluxgate restore` for SQLite installs. A backup is a folder: fluxgate.db, a
// consistent copy taken with SQLite's online backup API (the platform keeps running and ingesting
// meanwhile), the device files of the local blob store (files/), and backup.json saying what it
// holds. MQTT session state (DATA_DIR/mqtt) is not included: devices reconnect and subscribe again,
// and commands live in the database. PostgreSQL installs use pg_dump (docs/operations.md).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { ClassicLevel } from 'classic-level';
import { SQLITE_MIGRATIONS } from '../storage/sqlite/sqlite-migrations.ts';
import { VERSION } from './platform.ts';

export interface BackupSettings {
  DATA_DIR: string;
  DATABASE_URL?: string | undefined;
  BLOB_DRIVER: string;
}

export interface BackupManifest {
  format: 'fluxgate-backup-1';
  fluxgate_version: string;
  schema_version: number;
  created_at: string;
  database_bytes: number;
  files: number;
}

const DB_FILE = 'fluxgate.db';
const MANIFEST = 'backup.json';
const NEWEST_SCHEMA = Math.max(...SQLITE_MIGRATIONS.map((m) => m.version));

const PG_DUMP_HINT =
  'this install stores in PostgreSQL (DATABASE_URL): back it up with pg_dump, e.g. ' +
  'pg_dump --format=custom --schema="$DATABASE_SCHEMA" "$DATABASE_URL" > fluxgate.dump, and restore with pg_restore (docs/operations.md)';

export class BackupError extends Error {}

/** Opens `file` read-only, refuses it unless PRAGMA quick_check says ok, and returns its schema version. */
function checkedSchemaVersion(file: string, what: string): number {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`${what} failed its integrity check: ${String(check)}`);
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null } | undefined;
    return row?.v ?? 0;
  } finally {
    db.close();
  }
}

function countFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) if (entry.isFile()) n++;
  return n;
}

/** Copies DATA_DIR's database (online) and device files into `dest`, which must not exist or be empty. */
export async function backupCommand(settings: BackupSettings, dest: string, onProgress?: (percent: number) => void): Promise<BackupManifest> {
  if (settings.DATABASE_URL) throw new BackupError(PG_DUMP_HINT);
  const source = path.join(settings.DATA_DIR, DB_FILE);
  if (!existsSync(source)) throw new BackupError(`no database at ${source}: is DATA_DIR right?`);
  if (existsSync(dest) && readdirSync(dest).length > 0) throw new BackupError(`${dest} is not empty: give a new folder`);
  mkdirSync(dest, { recursive: true });
  const db = new BetterSqlite3(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // The online backup copies a consistent snapshot page by page; writes that land meanwhile make
    // SQLite restart the copy from the changed pages, so ingest is never stopped.
    await db.backup(path.join(dest, DB_FILE), {
      progress: ({ totalPages, remainingPages }) => {
        onProgress?.(totalPages === 0 ? 100 : Math.round((100 * (totalPages - remainingPages)) / totalPages));
        return 2000;
      },
    });
  } finally {
    db.close();
  }
  const version = checkedSchemaVersion(path.join(dest, DB_FILE), 'the copy');
  const filesDir = path.join(settings.DATA_DIR, 'files');
  if (settings.BLOB_DRIVER === 'local' && existsSync(filesDir)) cpSync(filesDir, path.join(dest, 'files'), { recursive: true });
  const manifest: BackupManifest = {
    format: 'fluxgate-backup-1',
    fluxgate_version: VERSION,
    schema_version: version,
    created_at: new Date().toISOString(),
    database_bytes: statSync(path.join(dest, DB_FILE)).size,
    files: countFiles(path.join(dest, 'files')),
  };
  writeFileSync(path.join(dest, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Refuses while a platform runs on DATA_DIR: it holds the lock of DATA_DIR/mqtt (LevelDB). */
async function assertStopped(dataDir: string): Promise<void> {
  const location = path.join(dataDir, 'mqtt');
  if (!existsSync(location)) return;
  const level = new ClassicLevel(location);
  try {
    await level.open();
  } catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED') {
      throw new BackupError(`a Fluxgate process is running on DATA_DIR=${dataDir}: stop it before restoring`);
    }
    throw err;
  } finally {
    await level.close().catch(() => {});
  }
}

function readManifest(from: string): BackupManifest {
  const file = path.join(from, MANIFEST);
  if (!existsSync(file) || !existsSync(path.join(from, DB_FILE))) throw new BackupError(`${from} is not a Fluxgate backup (no ${MANIFEST} and ${DB_FILE})`);
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as BackupManifest;
  if (manifest.format !== 'fluxgate-backup-1') throw new BackupError(`${from}: unknown backup format ${String(manifest.format)}`);
  if (manifest.schema_version > NEWEST_SCHEMA) {
    throw new BackupError(`${from} was made by a newer Fluxgate (schema ${manifest.schema_version}, this one knows up to ${NEWEST_SCHEMA}): upgrade first`);
  }
  return manifest;
}

/**
 * Puts a backup in place of DATA_DIR's database and device files. The platform must be stopped.
 * What was there is kept beside it (fluxgate.db.before-restore-<time>, files.before-restore-<time>),
 * never deleted; without `replace`, a DATA_DIR that already has a database is refused.
 */
export async function restoreCommand(settings: BackupSettings, from: string, replace: boolean): Promise<{ manifest: BackupManifest; keptAs?: string }> {
  if (settings.DATABASE_URL) throw new BackupError(PG_DUMP_HINT);
  const manifest = readManifest(from);
  checkedSchemaVersion(path.join(from, DB_FILE), `${from}/${DB_FILE}`);
  mkdirSync(settings.DATA_DIR, { recursive: true });
  await assertStopped(settings.DATA_DIR);
  const target = path.join(settings.DATA_DIR, DB_FILE);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  let keptAs: string | undefined;
  if (existsSync(target)) {
    if (!replace) throw new BackupError(`DATA_DIR=${settings.DATA_DIR} already has a database: add --replace (it is kept as ${DB_FILE}.before-restore-<time>)`);
    // Fold the current WAL into the database first, so the kept copy is whole on its own.
    const current = new BetterSqlite3(target, { fileMustExist: true });
    current.pragma('wal_checkpoint(TRUNCATE)');
    current.close();
    keptAs = `${target}.before-restore-${stamp}`;
    renameSync(target, keptAs);
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  cpSync(path.join(from, DB_FILE), target);
  const files = path.join(settings.DATA_DIR, 'files');
  if (existsSync(path.join(from, 'files'))) {
    if (existsSync(files)) renameSync(files, `${files}.before-restore-${stamp}`);
    cpSync(path.join(from, 'files'), files, { recursive: true });
  }
  return { manifest, ...(keptAs ? { keptAs } : {}) };
}

import type { Migration } from '../migration.ts';

const rollupTable = (name: string) => `
CREATE TABLE ${name} (
  device_id TEXT NOT NULL,
  field TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  count INTEGER NOT NULL,
  sum REAL NOT NULL,
  min REAL NOT NULL,
  max REAL NOT NULL,
  first_ts INTEGER NOT NULL,
  first REAL NOT NULL,
  last_ts INTEGER NOT NULL,
  last REAL NOT NULL,
  PRIMARY KEY (device_id, field, bucket)
) WITHOUT ROWID;`;

export const SQLITE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'core',
    sql: `
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  email TEXT UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
  is_active INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_login INTEGER
);
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT,
  device_type TEXT NOT NULL,
  location TEXT,
  firmware_version TEXT,
  hardware_version TEXT,
  status TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  config TEXT NOT NULL DEFAULT '{}',
  owner_id TEXT NOT NULL REFERENCES users(id),
  api_key_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_seen INTEGER
);
CREATE INDEX devices_owner ON devices (owner_id, created_at);
CREATE TABLE points (
  device_id TEXT NOT NULL,
  field TEXT NOT NULL,
  ts INTEGER NOT NULL,
  num REAL,
  str TEXT,
  type INTEGER NOT NULL,
  meta TEXT,
  PRIMARY KEY (device_id, field, ts)
) WITHOUT ROWID;
CREATE TABLE series (
  device_id TEXT NOT NULL,
  field TEXT NOT NULL,
  type INTEGER NOT NULL,
  PRIMARY KEY (device_id, field)
) WITHOUT ROWID;
${rollupTable('rollup_minute')}
${rollupTable('rollup_hour')}
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`,
  },
  {
    version: 5,
    name: 'dashboard: saved charts',
    sql: `
CREATE TABLE charts (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  series TEXT NOT NULL,
  time_range TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX charts_owner ON charts (owner_id, created_at);
`,
  },
];

import type { Migration } from '../migration.ts';

const rollupTable = (name: string) => `
CREATE TABLE ${name} (
  device_id TEXT NOT NULL,
  field TEXT NOT NULL,
  bucket BIGINT NOT NULL,
  count BIGINT NOT NULL,
  sum DOUBLE PRECISION NOT NULL,
  min DOUBLE PRECISION NOT NULL,
  max DOUBLE PRECISION NOT NULL,
  first_ts BIGINT NOT NULL,
  first DOUBLE PRECISION NOT NULL,
  last_ts BIGINT NOT NULL,
  last DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (device_id, field, bucket)
);`;

export const POSTGRES_MIGRATIONS: Migration[] = [
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
  is_active SMALLINT NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  last_login BIGINT
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
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  last_seen BIGINT
);
CREATE INDEX devices_owner ON devices (owner_id, created_at);
CREATE TABLE points (
  device_id TEXT NOT NULL,
  field TEXT NOT NULL,
  ts BIGINT NOT NULL,
  num DOUBLE PRECISION,
  str TEXT,
  type SMALLINT NOT NULL,
  meta TEXT,
  PRIMARY KEY (device_id, field, ts)
);
CREATE TABLE series (
  device_id TEXT NOT NULL,
  field TEXT NOT NULL,
  type SMALLINT NOT NULL,
  PRIMARY KEY (device_id, field)
);
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
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX charts_owner ON charts (owner_id, created_at);
`,
  },
];

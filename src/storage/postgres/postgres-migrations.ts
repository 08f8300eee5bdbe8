import { MIGRATION_VERSIONS, type Migration } from '../migration.ts';

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
    version: MIGRATION_VERSIONS.mqtt,
    name: 'mqtt',
    sql: `
CREATE TABLE commands (
  id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  command TEXT NOT NULL,
  parameters TEXT NOT NULL,
  status TEXT NOT NULL,
  created_by TEXT,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  delivered_at BIGINT,
  completed_at BIGINT,
  result TEXT,
  error TEXT
);
CREATE INDEX commands_device ON commands (device_id, created_at);
CREATE INDEX commands_open ON commands (status, expires_at);
CREATE TABLE device_state (
  device_id TEXT PRIMARY KEY,
  desired TEXT NOT NULL,
  version BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
`,
  },
  {
    version: MIGRATION_VERSIONS.files,
    name: 'device files and logs',
    sql: `
CREATE TABLE device_files (
  id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id),
  kind TEXT NOT NULL CHECK (kind IN ('image', 'log')),
  original_name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  blob_key TEXT NOT NULL,
  uploaded_by TEXT NOT NULL,
  uploaded_at BIGINT NOT NULL
);
CREATE INDEX device_files_listing ON device_files (device_id, kind, uploaded_at);
CREATE TABLE device_logs (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  device_id TEXT NOT NULL,
  ts BIGINT NOT NULL,
  severity SMALLINT NOT NULL,
  message TEXT NOT NULL,
  source TEXT
);
CREATE INDEX device_logs_by_time ON device_logs (device_id, ts, id);
CREATE INDEX device_logs_retention ON device_logs (ts);
`,
  },
  {
    version: MIGRATION_VERSIONS.accounts,
    name: 'accounts',
    sql: `
ALTER TABLE users ADD COLUMN sessions_valid_after BIGINT NOT NULL DEFAULT 0;
CREATE TABLE refresh_tokens (
  id TEXT PRIMARY KEY,
  family_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
CREATE TABLE device_access (
  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  level TEXT NOT NULL CHECK (level IN ('read', 'control')),
  granted_by TEXT,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (device_id, user_id)
);
CREATE INDEX device_access_user ON device_access (user_id);
CREATE TABLE audit_log (
  id BIGSERIAL PRIMARY KEY,
  at BIGINT NOT NULL,
  actor_id TEXT,
  actor_name TEXT,
  action TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT,
  details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);
`,
  },
  {
    version: MIGRATION_VERSIONS.dashboard,
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
  {
    version: MIGRATION_VERSIONS.profiles,
    name: 'device profiles: users\' own',
    sql: `
CREATE TABLE profiles (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  device_type TEXT NOT NULL,
  definition TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (owner_id, device_type)
);
`,
  },
  {
    version: MIGRATION_VERSIONS.devices,
    name: 'device lists at fleet scale: sort and overview indexes',
    sql: `
CREATE INDEX devices_name ON devices ((lower(name) COLLATE "C"), (id COLLATE "C"));
CREATE INDEX devices_type ON devices ((device_type COLLATE "C"), (id COLLATE "C"));
CREATE INDEX devices_created ON devices (created_at, (id COLLATE "C"));
CREATE INDEX devices_last_seen ON devices (last_seen, (id COLLATE "C"));
CREATE INDEX devices_summary ON devices (status, device_type, last_seen, id);
`,
  },
  {
    version: MIGRATION_VERSIONS.dashboards,
    name: 'user-built dashboards, shareable read-only',
    sql: `
CREATE TABLE dashboards (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  widgets TEXT NOT NULL,
  shared_with TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX dashboards_owner ON dashboards (owner_id, created_at);
`,
  },
  {
    version: MIGRATION_VERSIONS.rules,
    name: 'rules and alarms: one open alarm per (rule, device)',
    sql: `
CREATE TABLE rules (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  definition TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX rules_owner ON rules (owner_id, created_at);
CREATE TABLE alarms (
  id TEXT PRIMARY KEY,
  rule_id TEXT NOT NULL,
  rule_name TEXT NOT NULL,
  device_id TEXT NOT NULL,
  severity TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('active', 'acknowledged', 'cleared')),
  raised_at BIGINT NOT NULL,
  acknowledged_at BIGINT,
  acknowledged_by TEXT,
  cleared_at BIGINT,
  cleared_by TEXT,
  details TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
-- The guarantee of one open alarm per (rule, device), across restarts and nodes: raising inserts
-- with ON CONFLICT DO NOTHING against this index.
CREATE UNIQUE INDEX alarms_open ON alarms (rule_id, device_id) WHERE cleared_at IS NULL;
CREATE INDEX alarms_device ON alarms (device_id, raised_at);
CREATE INDEX alarms_raised ON alarms (raised_at);
CREATE TABLE alarm_events (
  id BIGSERIAL PRIMARY KEY,
  alarm_id TEXT NOT NULL REFERENCES alarms(id) ON DELETE CASCADE,
  device_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  at BIGINT NOT NULL,
  user_id TEXT,
  comment TEXT,
  details TEXT NOT NULL
);
CREATE INDEX alarm_events_alarm ON alarm_events (alarm_id, id);
CREATE INDEX alarm_events_device ON alarm_events (device_id);
`,
  },
  {
    version: MIGRATION_VERSIONS.chartWidgets,
    name: 'saved charts become chart widgets on a "Saved charts" dashboard per owner (24 per dashboard)',
    sql: `
INSERT INTO dashboards (id, owner_id, name, widgets, shared_with, created_at, updated_at)
SELECT 'saved-charts-' || owner_id || CASE WHEN page > 0 THEN '-' || (page + 1) ELSE '' END,
  owner_id,
  'Saved charts' || CASE WHEN page > 0 THEN ' ' || (page + 1) ELSE '' END,
  json_agg(widget ORDER BY created_at, id)::text, '[]', MIN(created_at), MAX(updated_at)
FROM (
  SELECT owner_id, id, created_at, updated_at,
    (ROW_NUMBER() OVER (PARTITION BY owner_id ORDER BY created_at, id) - 1) / 24 AS page,
    json_build_object('id', id, 'kind', 'chart', 'title', name, 'deviceIds', '[]'::json, 'fields', '[]'::json,
      'range', time_range, 'w', 12, 'h', 2, 'chartId', id) AS widget
  FROM charts
) c
GROUP BY owner_id, page;
`,
  },
  {
    version: MIGRATION_VERSIONS.notifications,
    name: 'notifications: a durable outbox (one row per idempotency key) and per-user preferences',
    sql: `
-- Each row is one message to one channel; the idempotency key is unique, so a change enqueued twice
-- (a restart, another node) is stored once. The dispatcher claims due pending rows by moving
-- next_attempt_at ahead (a lease), so a node that dies mid-send leaves the row to be retried.
CREATE TABLE notifications_outbox (
  id TEXT PRIMARY KEY,
  alarm_id TEXT NOT NULL,
  event_kind TEXT NOT NULL,
  channel TEXT NOT NULL,
  recipient TEXT,
  target TEXT NOT NULL,
  payload TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  attempts INTEGER NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'dead')),
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX notifications_outbox_due ON notifications_outbox (state, next_attempt_at);
CREATE INDEX notifications_outbox_alarm ON notifications_outbox (alarm_id);
CREATE TABLE notification_preferences (
  user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  preferences TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
`,
  },
  {
    version: MIGRATION_VERSIONS.chunks,
    name: 'telemetry in compressed chunks per series and window; each series keeps its newest point',
    sql: `
CREATE TABLE chunks (
  id BIGSERIAL PRIMARY KEY,
  device_id TEXT NOT NULL,
  field TEXT NOT NULL,
  start_ts BIGINT NOT NULL,
  end_ts BIGINT NOT NULL,
  count INTEGER NOT NULL,
  level SMALLINT NOT NULL,
  data BYTEA NOT NULL,
  UNIQUE (device_id, field, start_ts)
);
-- The payload is compressed already: do not compress it again.
ALTER TABLE chunks ALTER COLUMN data SET STORAGE EXTERNAL;
CREATE INDEX chunks_by_end ON chunks (device_id, field, end_ts);
CREATE INDEX chunks_to_compact ON chunks (level, start_ts) WHERE level < 2;
ALTER TABLE series ADD COLUMN last_ts BIGINT;
ALTER TABLE series ADD COLUMN last_num DOUBLE PRECISION;
ALTER TABLE series ADD COLUMN last_str TEXT;
ALTER TABLE series ADD COLUMN last_type SMALLINT;
ALTER TABLE series ADD COLUMN last_meta TEXT;
UPDATE series s SET (last_ts, last_num, last_str, last_type, last_meta) = (
  SELECT ts, num, str, type, meta FROM points p WHERE p.device_id = s.device_id AND p.field = s.field ORDER BY ts DESC LIMIT 1
);
`,
  },
  {
    version: MIGRATION_VERSIONS.chunkIndexes,
    name: 'chunks lose their end_ts index: newest-first reads walk the start_ts index',
    sql: `
-- Each group commit inserted into two per-series indexes of chunks; newest-first reads now page by
-- start_ts (a chunk ends inside the window it starts in), so the second index only cost writes.
DROP INDEX IF EXISTS chunks_by_end;
`,
  },
];

import { MIGRATION_VERSIONS, type Migration } from '../migration.ts';

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
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  delivered_at INTEGER,
  completed_at INTEGER,
  result TEXT,
  error TEXT
);
CREATE INDEX commands_device ON commands (device_id, created_at);
CREATE INDEX commands_open ON commands (status, expires_at);
CREATE TABLE device_state (
  device_id TEXT PRIMARY KEY,
  desired TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
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
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  blob_key TEXT NOT NULL,
  uploaded_by TEXT NOT NULL,
  uploaded_at INTEGER NOT NULL
);
CREATE INDEX device_files_listing ON device_files (device_id, kind, uploaded_at);
CREATE TABLE device_logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id TEXT NOT NULL,
  ts INTEGER NOT NULL,
  severity INTEGER NOT NULL,
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
ALTER TABLE users ADD COLUMN sessions_valid_after INTEGER NOT NULL DEFAULT 0;
CREATE TABLE refresh_tokens (
  id TEXT PRIMARY KEY,
  family_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
CREATE TABLE device_access (
  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  level TEXT NOT NULL CHECK (level IN ('read', 'control')),
  granted_by TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (device_id, user_id)
);
CREATE INDEX device_access_user ON device_access (user_id);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
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
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
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
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (owner_id, device_type)
);
`,
  },
  {
    version: MIGRATION_VERSIONS.devices,
    name: 'device lists at fleet scale: sort and overview indexes',
    sql: `
CREATE INDEX devices_name ON devices (name COLLATE NOCASE, id);
CREATE INDEX devices_type ON devices (device_type, id);
CREATE INDEX devices_created ON devices (created_at, id);
CREATE INDEX devices_last_seen ON devices (last_seen, id);
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
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
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
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX rules_owner ON rules (owner_id, created_at);
CREATE TABLE alarms (
  id TEXT PRIMARY KEY,
  rule_id TEXT NOT NULL,
  rule_name TEXT NOT NULL,
  device_id TEXT NOT NULL,
  severity TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('active', 'acknowledged', 'cleared')),
  raised_at INTEGER NOT NULL,
  acknowledged_at INTEGER,
  acknowledged_by TEXT,
  cleared_at INTEGER,
  cleared_by TEXT,
  details TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
-- The guarantee of one open alarm per (rule, device), across restarts and nodes: raising inserts
-- with ON CONFLICT DO NOTHING against this index.
CREATE UNIQUE INDEX alarms_open ON alarms (rule_id, device_id) WHERE cleared_at IS NULL;
CREATE INDEX alarms_device ON alarms (device_id, raised_at);
CREATE INDEX alarms_raised ON alarms (raised_at);
CREATE TABLE alarm_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  alarm_id TEXT NOT NULL REFERENCES alarms(id) ON DELETE CASCADE,
  device_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  at INTEGER NOT NULL,
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
  json_group_array(json(widget)), '[]', MIN(created_at), MAX(updated_at)
FROM (
  SELECT owner_id, created_at, updated_at,
    (ROW_NUMBER() OVER (PARTITION BY owner_id ORDER BY created_at, id) - 1) / 24 AS page,
    json_object('id', id, 'kind', 'chart', 'title', name, 'deviceIds', json('[]'), 'fields', json('[]'),
      'range', time_range, 'w', 12, 'h', 2, 'chartId', id) AS widget
  FROM charts ORDER BY owner_id, created_at, id
)
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
  next_attempt_at INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'dead')),
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX notifications_outbox_due ON notifications_outbox (state, next_attempt_at);
CREATE INDEX notifications_outbox_alarm ON notifications_outbox (alarm_id);
CREATE TABLE notification_preferences (
  user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  preferences TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
`,
  },
  {
    version: MIGRATION_VERSIONS.chunks,
    name: 'telemetry in compressed chunks per series and window; each series keeps its newest point',
    sql: `
-- A chunk holds points of one series inside one aligned window (src/storage/chunks/chunk-layout.ts),
-- columnar and compressed. level 0: one group commit's points; 1 and 2: merged by compaction.
-- The old points table stays readable until the background mover has emptied it.
CREATE TABLE chunks (
  device_id TEXT NOT NULL,
  field TEXT NOT NULL,
  start_ts INTEGER NOT NULL,
  end_ts INTEGER NOT NULL,
  count INTEGER NOT NULL,
  level INTEGER NOT NULL,
  data BLOB NOT NULL,
  UNIQUE (device_id, field, start_ts)
);
CREATE INDEX chunks_by_end ON chunks (device_id, field, end_ts);
CREATE INDEX chunks_to_compact ON chunks (level, start_ts) WHERE level < 2;
ALTER TABLE series ADD COLUMN last_ts INTEGER;
ALTER TABLE series ADD COLUMN last_num REAL;
ALTER TABLE series ADD COLUMN last_str TEXT;
ALTER TABLE series ADD COLUMN last_type INTEGER;
ALTER TABLE series ADD COLUMN last_meta TEXT;
UPDATE series SET (last_ts, last_num, last_str, last_type, last_meta) = (
  SELECT ts, num, str, type, meta FROM points p WHERE p.device_id = series.device_id AND p.field = series.field ORDER BY ts DESC LIMIT 1
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

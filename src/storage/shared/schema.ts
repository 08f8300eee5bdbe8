// Table shapes as Kysely sees them; both adapters create exactly these columns.
import type { Generated } from 'kysely';

export interface UsersTable {
  id: string;
  username: string;
  email: string | null;
  password_hash: string;
  role: string;
  is_active: number;
  created_at: number;
  updated_at: number;
  last_login: number | null;
}

export interface DevicesTable {
  id: string;
  name: string;
  description: string | null;
  device_type: string;
  location: string | null;
  firmware_version: string | null;
  hardware_version: string | null;
  status: string;
  metadata: string;
  config: string;
  owner_id: string;
  api_key_hash: string;
  created_at: number;
  updated_at: number;
  last_seen: number | null;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface SeriesTable {
  device_id: string;
  field: string;
  type: number;
  last_ts: number | null;
  last_num: number | null;
  last_str: string | null;
  last_type: number | null;
  last_meta: string | null;
}

export interface ChunksTable {
  device_id: string;
  field: string;
  start_ts: number;
  end_ts: number;
  count: number;
  level: number;
  data: Uint8Array;
}

export interface RollupTable {
  device_id: string;
  field: string;
  bucket: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  first_ts: number;
  first: number;
  last_ts: number;
  last: number;
}

export interface PointsTable {
  device_id: string;
  field: string;
  ts: number;
  num: number | null;
  str: string | null;
  type: number;
  meta: string | null;
}

export interface CommandsTable {
  id: string;
  device_id: string;
  command: string;
  parameters: string;
  status: string;
  created_by: string | null;
  created_at: number;
  expires_at: number;
  delivered_at: number | null;
  completed_at: number | null;
  result: string | null;
  error: string | null;
}

export interface DeviceStateTable {
  device_id: string;
  desired: string;
  version: number;
  updated_at: number;
}

export interface ProfilesTable {
  id: string;
  owner_id: string;
  device_type: string;
  /** JSON of the profile definition. */
  definition: string;
  created_at: number;
  updated_at: number;
}

export interface ChartsTable {
  id: string;
  owner_id: string;
  name: string;
  /** JSON array of {deviceId, field, label}. */
  series: string;
  time_range: string;
  created_at: number;
  updated_at: number;
}

export interface DashboardsTable {
  id: string;
  owner_id: string;
  name: string;
  /** JSON array of DashboardWidget. */
  widgets: string;
  /** JSON array of user ids. */
  shared_with: string;
  created_at: number;
  updated_at: number;
}

export interface MigrationsTable {
  version: number;
  name: string;
  applied_at: Generated<number>;
}

export interface DeviceFilesTable {
  id: string;
  device_id: string;
  kind: string;
  original_name: string;
  content_type: string;
  size: number;
  sha256: string;
  blob_key: string;
  uploaded_by: string;
  uploaded_at: number;
}

export interface DeviceLogsTable {
  id: Generated<number>;
  device_id: string;
  ts: number;
  severity: number;
  message: string;
  source: string | null;
}

/** Added by the accounts migration (4); optional so the core's user rows stay as they were. */
export interface UserSessionColumns {
  sessions_valid_after?: number;
}

export interface RefreshTokensTable {
  id: string;
  family_id: string;
  user_id: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  revoked_at: number | null;
}

export interface DeviceAccessTable {
  device_id: string;
  user_id: string;
  level: string;
  granted_by: string | null;
  created_at: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  details: string;
}

export interface RulesTable {
  id: string;
  owner_id: string;
  name: string;
  description: string;
  enabled: number;
  definition: string;
  created_at: number;
  updated_at: number;
}

export interface AlarmsTable {
  id: string;
  rule_id: string;
  rule_name: string;
  device_id: string;
  severity: string;
  state: string;
  raised_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  cleared_at: number | null;
  cleared_by: string | null;
  details: string;
  updated_at: number;
}

export interface AlarmEventsTable {
  id: Generated<number>;
  alarm_id: string;
  device_id: string;
  kind: string;
  at: number;
  user_id: string | null;
  comment: string | null;
  details: string;
}

export interface NotificationsOutboxTable {
  id: string;
  alarm_id: string;
  event_kind: string;
  channel: string;
  recipient: string | null;
  target: string;
  payload: string;
  idempotency_key: string;
  attempts: number;
  next_attempt_at: number;
  state: string;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface NotificationPreferencesTable {
  user_id: string;
  preferences: string;
  updated_at: number;
}

export interface Database {
  users: UsersTable & UserSessionColumns;
  refresh_tokens: RefreshTokensTable;
  device_access: DeviceAccessTable;
  audit_log: AuditLogTable;
  devices: DevicesTable;
  settings: SettingsTable;
  series: SeriesTable;
  points: PointsTable;
  chunks: ChunksTable;
  rollup_minute: RollupTable;
  rollup_hour: RollupTable;
  schema_migrations: MigrationsTable;
  device_files: DeviceFilesTable;
  device_logs: DeviceLogsTable;
  commands: CommandsTable;
  device_state: DeviceStateTable;
  charts: ChartsTable;
  dashboards: DashboardsTable;
  profiles: ProfilesTable;
  rules: RulesTable;
  alarms: AlarmsTable;
  alarm_events: AlarmEventsTable;
  notifications_outbox: NotificationsOutboxTable;
  notification_preferences: NotificationPreferencesTable;
}

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

export interface MigrationsTable {
  version: number;
  name: string;
  applied_at: Generated<number>;
}

export interface Database {
  users: UsersTable;
  devices: DevicesTable;
  settings: SettingsTable;
  series: SeriesTable;
  points: PointsTable;
  rollup_minute: RollupTable;
  rollup_hour: RollupTable;
  schema_migrations: MigrationsTable;
  charts: ChartsTable;
}

// The storage port. Two adapters implement it (sqlite/, postgres/) and both must pass the one
// contract suite in test/storage/storage-contract.ts. Times are UTC milliseconds throughout.
import type { Chart, ChartPatch, NewChart } from '../domain/chart.ts';
import type { Device, DeviceFilter, DevicePatch, NewDevice } from '../domain/device.ts';
import type { Granularity, RollupRow } from '../domain/rollup.ts';
import type { Point } from '../domain/telemetry.ts';
import type { NewUser, User, UserWithSecret } from '../domain/user.ts';

export interface PointQuery {
  deviceId: string;
  start: number;
  end: number;
  fields?: readonly string[];
  order: 'asc' | 'desc';
  limit: number;
  /** Keyset cursor: continue after this (ts, field) in the query's order. */
  after?: { ts: number; field: string };
}

export interface RollupQuery {
  deviceId: string;
  field: string;
  granularity: Granularity;
  /** Buckets whose start is in [start, end). */
  start: number;
  end: number;
}

export interface WriteResult {
  /** Points stored by this call. */
  inserted: number;
  /** Points already stored with the same (device, field, ts): ignored, first write wins. */
  duplicates: number;
}

export interface StorageStats {
  users: number;
  devices: number;
  points: number;
  devicesByStatus: Record<string, number>;
  devicesByType: Record<string, number>;
}

export interface Storage {
  readonly kind: 'sqlite' | 'postgres';
  /** Applies pending migrations; returns the schema version now in place. */
  migrate(): Promise<number>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;

  createUser(user: NewUser): Promise<User>;
  getUser(id: string): Promise<User | undefined>;
  findUserForLogin(usernameOrEmail: string): Promise<UserWithSecret | undefined>;
  recordLogin(id: string, at: number): Promise<void>;
  countUsers(): Promise<number>;

  createDevice(device: NewDevice): Promise<Device>;
  getDevice(id: string): Promise<Device | undefined>;
  listDevices(filter: DeviceFilter): Promise<{ items: Device[]; total: number }>;
  updateDevice(id: string, patch: DevicePatch): Promise<Device | undefined>;
  /** Deletes the device with its telemetry and rollups; false when it did not exist. */
  deleteDevice(id: string): Promise<boolean>;
  /** The device whose API key hashes to `keyHash`. */
  findDeviceByKeyHash(keyHash: string): Promise<{ id: string; keyHash: string } | undefined>;
  setDeviceKeyHash(id: string, keyHash: string): Promise<boolean>;
  /** Writes last_seen for many devices at once (never moves a time backwards). */
  touchDevices(lastSeen: ReadonlyMap<string, number>): Promise<void>;
  distinctDeviceValues(column: 'device_type' | 'location', ownerId?: string): Promise<string[]>;

  /** Stores points and updates rollups in one transaction; durable when the promise resolves. */
  writePoints(points: readonly Point[]): Promise<WriteResult>;
  queryPoints(query: PointQuery): Promise<Point[]>;
  /** The newest point of every field of a device. */
  latestPoints(deviceId: string): Promise<Point[]>;
  readRollups(query: RollupQuery): Promise<RollupRow[]>;
  /** The newest rollup row that starts before `before`, for counter deltas across a range start. */
  rollupBefore(deviceId: string, field: string, granularity: Granularity, before: number): Promise<RollupRow | undefined>;
  /** Deletes points in [start, end) and rebuilds the rollups they touched; returns points deleted. */
  deletePoints(deviceId: string, start: number, end: number): Promise<number>;
  fieldsOf(deviceId: string): Promise<string[]>;
  stats(): Promise<StorageStats>;

  createChart(chart: NewChart): Promise<Chart>;
  getChart(id: string): Promise<Chart | undefined>;
  /** A user's charts, newest first. */
  listCharts(ownerId: string): Promise<Chart[]>;
  updateChart(id: string, patch: ChartPatch): Promise<Chart | undefined>;
  deleteChart(id: string): Promise<boolean>;

  /** A small key/value store for platform state (generated secrets, flags). */
  getSetting(key: string): Promise<string | undefined>;
  setSettingIfAbsent(key: string, value: string): Promise<string>;
}

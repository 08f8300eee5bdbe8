// The storage port. Two adapters implement it (sqlite/, postgres/) and both must pass the one
// contract suite in test/storage/storage-contract.ts. Times are UTC milliseconds throughout.
import type { Alarm, AlarmEvent, AlarmFilter, AlarmTransition, NewAlarm, NewAlarmEvent } from '../domain/alarm.ts';
import type { Command, CommandStatus, CommandUpdate, DesiredState, NewCommand } from '../domain/command.ts';
import type { Chart, ChartPatch, NewChart } from '../domain/chart.ts';
import type { Dashboard, DashboardContent, NewDashboard } from '../domain/dashboard.ts';
import type { ConnectivityFacts, Device, DeviceFilter, DeviceGroupCount, DevicePatch, NewDevice } from '../domain/device.ts';
import type { DeviceFile, FileKind } from '../domain/device-file.ts';
import type { LogEntry, LogLevel, NewLogEntry } from '../domain/device-log.ts';
import type { Granularity, RollupRow } from '../domain/rollup.ts';
import type { NewProfileRecord, ProfileRecord } from '../domain/profile.ts';
import type { NewOutboxRow, NotificationPreferences, OutboxRow, OutboxState } from '../domain/notification.ts';
import type { NewRule, Rule, RulePatch, Severity } from '../domain/rule.ts';
import type { Point } from '../domain/telemetry.ts';
import type { NewUser, User, UserWithSecret } from '../domain/user.ts';
import type { AccountStorage } from './account-storage.ts';

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
  /**
   * Points not stored: already stored with the same (device, field, ts) (first write wins), or of a
   * device that no longer exists (deleted while the points waited for commit).
   */
  duplicates: number;
}

export interface StorageStats {
  users: number;
  devices: number;
  points: number;
  devicesByStatus: Record<string, number>;
  devicesByType: Record<string, number>;
}

/** What one short compaction step did; `more` when work was left for the next. */
export interface CompactionStep {
  /** Points moved from the one-row-per-point table of earlier versions into chunks. */
  movedPoints: number;
  /** Series windows whose chunks were merged. */
  mergedWindows: number;
  more: boolean;
}

/** The chunk layout's state: how much there is, and how much compaction has still to do. */
export interface ChunkStats {
  chunks: number;
  /** Chunks waiting for compaction: group-commit chunks, and merged chunks of windows since closed. */
  backlog: number;
  /** Points still in the one-row-per-point table of earlier versions (moved in the background). */
  oldLayoutPoints: number;
}

/** A series of an existing device, with what decides its retention policy. */
export interface SeriesRef {
  deviceId: string;
  field: string;
  deviceType: string;
  ownerId: string;
}

/** What to drop of one series: everything older than each time (UTC ms); null keeps it forever. */
export interface RetentionCut {
  deviceId: string;
  field: string;
  rawBefore: number | null;
  minuteBefore: number | null;
  hourBefore: number | null;
}

export interface RetentionResult {
  droppedChunks: number;
  droppedPoints: number;
  /** Minute rollup rows kept for raw points dropped while minute rollups are kept longer. */
  keptMinuteRows: number;
  droppedRollupRows: number;
}

/** Telemetry one device holds in chunks. */
export interface DeviceUsage {
  deviceId: string;
  name: string;
  deviceType: string;
  ownerId: string;
  chunks: number;
  points: number;
  bytes: number;
}

/** Bytes on disk, whole and per table (indexes counted with their table). */
export interface DiskUsage {
  totalBytes: number;
  tables: Array<{ name: string; bytes: number }>;
}

export interface FileListQuery {
  deviceId: string;
  kind: FileKind;
  limit: number;
  offset: number;
}

export interface LogQuery {
  deviceId: string;
  /** Entries with ts in [start, end). */
  start: number;
  end: number;
  /** Only these levels (all when absent or empty). */
  levels?: readonly LogLevel[];
  /** Only this level and more severe ones. */
  minLevel?: LogLevel;
  order: 'asc' | 'desc';
  limit: number;
  /** Keyset cursor: continue after this (ts, id) in the query's order. */
  after?: { ts: number; id: number };
}

/** The notification rows of a newly raised alarm, stored in the raise's own transaction. */
export type AlarmOutbox = (alarm: Alarm) => NewOutboxRow[];

/** A page of the pending commands the scheduler leader sends again (services/command-resend.ts). */
export interface StalePendingQuery {
  createdBefore: number;
  now: number;
  /** The last command of the previous page: this page starts after it. */
  after?: { expiresAt: number; id: string } | undefined;
  limit: number;
}

export interface Storage extends AccountStorage {
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
  /** One page of devices in the filter's order, and how many match in all. */
  listDevices(filter: DeviceFilter): Promise<{ items: Device[]; total: number }>;
  /** Devices by status and type with how many are online (judged with `connectivity`), over those `visibleTo` sees or all. */
  countDevices(scope: { visibleTo?: string | undefined; connectivity: ConnectivityFacts }): Promise<DeviceGroupCount[]>;
  /** Ids of the devices a user owns or that are shared with them. */
  visibleDeviceIds(userId: string): Promise<string[]>;
  updateDevice(id: string, patch: DevicePatch): Promise<Device | undefined>;
  /** Deletes the device with its telemetry, rollups, file metadata and logs; false when it did not exist. */
  deleteDevice(id: string): Promise<boolean>;
  /** The device whose API key hashes to `keyHash`. */
  findDeviceByKeyHash(keyHash: string): Promise<{ id: string; keyHash: string } | undefined>;
  setDeviceKeyHash(id: string, keyHash: string): Promise<boolean>;
  /** Every device's id, status and key hash, by id (an external broker's credentials are synced from it). */
  listDeviceCredentials(): Promise<Array<{ id: string; status: string; keyHash: string }>>;
  /** Writes last_seen for many devices at once (never moves a time backwards). */
  touchDevices(lastSeen: ReadonlyMap<string, number>): Promise<void>;
  /** Distinct values over all devices, or over those `visibleTo` a user sees (owned or shared). */
  distinctDeviceValues(column: 'device_type' | 'location', visibleTo?: string): Promise<string[]>;

  /**
   * Stores points and updates rollups in one transaction; durable when the promise resolves. Points of
   * devices that do not exist are not stored (no orphans survive a concurrent deleteDevice).
   */
  writePoints(points: readonly Point[]): Promise<WriteResult>;
  queryPoints(query: PointQuery): Promise<Point[]>;
  /** The newest point of every field of a device. */
  latestPoints(deviceId: string): Promise<Point[]>;
  /**
   * The newest point of every field (or of `fields` only) of many devices in one query, ordered by
   * device id then field. Seeks the newest point of each series; never scans history.
   */
  latestPointsOf(deviceIds: readonly string[], fields?: readonly string[]): Promise<Point[]>;
  readRollups(query: RollupQuery): Promise<RollupRow[]>;
  /** The newest rollup row that starts before `before`, for counter deltas across a range start. */
  rollupBefore(deviceId: string, field: string, granularity: Granularity, before: number): Promise<RollupRow | undefined>;
  /** Deletes points in [start, end) and rebuilds the rollups they touched; returns points deleted. */
  deletePoints(deviceId: string, start: number, end: number): Promise<number>;
  fieldsOf(deviceId: string): Promise<string[]>;
  /**
   * Compacts telemetry until nothing is left to do now: group-commit chunks merged per series window,
   * points of earlier versions' layout moved into chunks. The adapter also does this in the
   * background, in short steps between writes; queries give the same answers before and after.
   */
  compact(): Promise<{ movedPoints: number; mergedWindows: number }>;
  chunkStats(): Promise<ChunkStats>;
  /** Series of existing devices by (device id, field), after `after`; at most `limit`. */
  listSeries(after: { deviceId: string; field: string } | undefined, limit: number): Promise<SeriesRef[]>;
  /**
   * Applies retention, in one transaction: raw points are dropped by whole chunks (a whole window,
   * so up to one window later than the cut), their minute rollups stored first when minute rollups
   * outlive them; minute and hour rollup rows are dropped by whole buckets.
   */
  applyRetention(cuts: readonly RetentionCut[]): Promise<RetentionResult>;
  /** Chunked telemetry per device, largest first. */
  telemetryUsage(): Promise<DeviceUsage[]>;
  stats(): Promise<StorageStats>;
  /**
   * What the database takes on disk (SQLite: the file and its WAL; PostgreSQL: this schema's
   * relations). `perTable` on SQLite walks every page (dbstat): seconds on a large file, for the CLI.
   */
  diskUsage(options?: { perTable?: boolean }): Promise<DiskUsage>;

  /** Device file metadata (the bytes are in the blob store); fails when the device does not exist. */
  insertFile(file: DeviceFile): Promise<void>;
  getFile(id: string): Promise<DeviceFile | undefined>;
  /** Files of one kind of a device, newest first. */
  listFiles(query: FileListQuery): Promise<{ items: DeviceFile[]; total: number }>;
  deleteFile(id: string): Promise<boolean>;

  /** Stores device log entries in one statement; durable when the promise resolves. Returns how many. */
  appendLogs(entries: readonly NewLogEntry[]): Promise<number>;
  queryLogs(query: LogQuery): Promise<LogEntry[]>;
  /** Deletes log entries older than `before` (ts < before); returns how many (retention). */
  deleteLogsBefore(before: number): Promise<number>;

  /** Commands sent to devices (newest first when listed). */
  createCommand(command: NewCommand): Promise<Command>;
  getCommand(deviceId: string, id: string): Promise<Command | undefined>;
  listCommands(deviceId: string, options: { statuses?: readonly CommandStatus[]; limit: number; order?: 'asc' | 'desc' }): Promise<Command[]>;
  /** Applies `update` only while the command's status is one of `from`; the updated command, else undefined. */
  updateCommand(deviceId: string, id: string, from: readonly CommandStatus[], update: CommandUpdate): Promise<Command | undefined>;
  /** Pending commands created at or before `createdBefore`, not expired at `now`; by (expires_at, id), after `after`. */
  listStalePendingCommands(query: StalePendingQuery): Promise<Command[]>;
  /** Marks open commands whose expires_at is at or before `now` as expired; returns them. */
  expireCommands(now: number): Promise<Command[]>;
  getDesiredState(deviceId: string): Promise<DesiredState | undefined>;
  /** Compare-and-set: stores version expectedVersion + 1 (0 = none yet); undefined when the version moved. */
  putDesiredState(deviceId: string, desired: Record<string, unknown>, expectedVersion: number, at: number): Promise<DesiredState | undefined>;

  createChart(chart: NewChart): Promise<Chart>;
  getChart(id: string): Promise<Chart | undefined>;
  /** A user's charts, newest first. */
  listCharts(ownerId: string): Promise<Chart[]>;
  updateChart(id: string, patch: ChartPatch): Promise<Chart | undefined>;
  deleteChart(id: string): Promise<boolean>;

  createDashboard(dashboard: NewDashboard): Promise<Dashboard>;
  getDashboard(id: string): Promise<Dashboard | undefined>;
  /** Dashboards a user owns or that are shared with them, newest first. */
  listDashboards(userId: string): Promise<Dashboard[]>;
  /** Replaces name, widgets and shares; undefined when the dashboard is gone. */
  replaceDashboard(id: string, content: DashboardContent): Promise<Dashboard | undefined>;
  deleteDashboard(id: string): Promise<boolean>;

  /** Stores a user's profile; undefined when its owner already has one for that device type. */
  createProfile(profile: NewProfileRecord): Promise<ProfileRecord | undefined>;
  getProfile(id: string): Promise<ProfileRecord | undefined>;
  /** One owner's profiles, or everyone's when `ownerId` is absent. */
  listProfiles(ownerId?: string): Promise<ProfileRecord[]>;
  /** undefined when the profile is gone; 'conflict' when its owner has another for that device type. */
  updateProfile(id: string, deviceType: string, definition: Record<string, unknown>): Promise<ProfileRecord | 'conflict' | undefined>;
  deleteProfile(id: string): Promise<boolean>;

  createRule(rule: NewRule): Promise<Rule>;
  getRule(id: string): Promise<Rule | undefined>;
  /** One owner's rules, or everyone's when `ownerId` is absent; newest first. */
  listRules(ownerId?: string): Promise<Rule[]>;
  updateRule(id: string, patch: RulePatch): Promise<Rule | undefined>;
  deleteRule(id: string): Promise<boolean>;

  /**
   * Raises an alarm unless one is open for its (rule, device) (a unique index decides): `created` says
   * which. The rows `outbox` gives for a new alarm are stored in the same transaction.
   */
  raiseAlarm(alarm: NewAlarm, outbox?: AlarmOutbox): Promise<{ alarm: Alarm; created: boolean }>;
  /** raiseAlarm for many in one transaction (one commit); `outboxes[i]` belongs to `alarms[i]`; answers in the order given. */
  raiseAlarms(alarms: readonly NewAlarm[], outboxes?: ReadonlyArray<AlarmOutbox | undefined>): Promise<Array<{ alarm: Alarm; created: boolean }>>;
  openAlarm(ruleId: string, deviceId: string): Promise<Alarm | undefined>;
  getAlarm(id: string): Promise<Alarm | undefined>;
  /** Every open (active or acknowledged) alarm. */
  openAlarms(): Promise<Alarm[]>;
  /** One page of alarms, newest raised first, and how many match in all. */
  listAlarms(filter: AlarmFilter): Promise<{ items: Alarm[]; total: number }>;
  /** Open alarms per severity, over the devices `visibleTo` may see (all when absent). */
  countOpenAlarms(visibleTo?: string): Promise<Record<Severity, number>>;
  /** Applies a change (with its history event and `change.outbox` rows, in one transaction) while the alarm's state is one of `change.from`; undefined otherwise. */
  transitionAlarm(id: string, change: AlarmTransition): Promise<Alarm | undefined>;
  addAlarmEvent(event: NewAlarmEvent): Promise<AlarmEvent>;
  /** An alarm's history, oldest first. */
  alarmEvents(alarmId: string): Promise<AlarmEvent[]>;

  /** Stores outbox rows whose idempotency key is new (others are left as they are); returns how many were new. */
  enqueueNotifications(rows: readonly NewOutboxRow[]): Promise<number>;
  /** Claims up to `limit` due pending rows by moving their next attempt `leaseMs` ahead. */
  claimNotifications(now: number, limit: number, leaseMs: number): Promise<OutboxRow[]>;
  markNotificationSent(id: string, attempts: number, at: number): Promise<void>;
  /** A failed attempt: pending again at `nextAttemptAt`, or dead when null. */
  markNotificationFailed(id: string, attempts: number, error: string, nextAttemptAt: number | null, at: number): Promise<void>;
  /** Outbox rows, most recently changed first. */
  listNotifications(filter: { state?: OutboxState; alarmId?: string; limit: number; offset: number }): Promise<{ items: OutboxRow[]; total: number }>;
  /** A dead row queued again with fresh attempts; undefined when it is not dead (or unknown). */
  retryNotification(id: string, now: number): Promise<OutboxRow | undefined>;
  getNotificationPreferences(userId: string): Promise<NotificationPreferences | undefined>;
  setNotificationPreferences(userId: string, prefs: NotificationPreferences, at: number): Promise<void>;

  /** A small key/value store for platform state (generated secrets, flags). */
  getSetting(key: string): Promise<string | undefined>;
  setSettingIfAbsent(key: string, value: string): Promise<string>;
}

// Wire types, taken from the server's contract so the two cannot drift (type-only: no code shipped).
import type { z } from 'zod';
import type { grantView } from '../../../src/contract/http/access.ts';
import type { compactionView, retentionRunView, statsView, storageOverviewView } from '../../../src/contract/http/admin.ts';
import type { commandView, stateView } from '../../../src/contract/http/commands.ts';
import type { logLevel, logPage, logView } from '../../../src/contract/http/logs.ts';
import type { loginResponse, userView } from '../../../src/contract/http/auth.ts';
import type { chartView, seriesResponse } from '../../../src/contract/http/charts.ts';
import type { deviceListItem, deviceSummaryView, deviceView } from '../../../src/contract/http/devices.ts';
import type { pointView } from '../../../src/contract/http/telemetry.ts';
import type { fileList, fileView } from '../../../src/contract/http/files.ts';
import type { alarmCountsView, alarmWithHistory } from '../../../src/contract/http/alarms.ts';
import type { dryRunView } from '../../../src/contract/http/rules.ts';
import type { notificationPreferencesView, outboxRowView } from '../../../src/contract/http/notifications.ts';
import type { deviceProfileView } from '../../../src/contract/http/profiles.ts';
import type { CommandSpec, FieldSpec, ParamSpec, Profile } from '../../../src/contract/profiles/profile.ts';

export type User = z.output<typeof userView>;
export type LoginResponse = z.output<typeof loginResponse> & { refresh_token?: string };
export type Device = z.output<typeof deviceView>;
export type DeviceCreated = Device & { api_key: string };
export type DeviceListItem = z.output<typeof deviceListItem>;
export type DeviceSummary = z.output<typeof deviceSummaryView>;
export type PointView = z.output<typeof pointView>;
export type SavedChart = z.output<typeof chartView>;
export type SeriesResponse = z.output<typeof seriesResponse>;
export type FieldSeries = SeriesResponse['fields'][number];
export type DeviceProfile = z.output<typeof deviceProfileView>;
export type DeviceFile = z.output<typeof fileView>;
export type DeviceFileList = z.output<typeof fileList>;
export type { CommandSpec, FieldSpec, ParamSpec, Profile };

export interface DeviceList {
  devices: DeviceListItem[];
  total: number;
  limit: number;
  offset: number;
}

export interface EnergyResponse {
  device_ids: string[];
  tz: string;
  unit: 'kWh';
  total: number;
  buckets: Array<{ label: string; start: string; end: string; value: number }>;
}

export type Command = z.output<typeof commandView>;
export type DeviceState = z.output<typeof stateView>;
export type AccessGrant = z.output<typeof grantView>;
export type AdminStats = z.output<typeof statsView>;
export type StorageOverview = z.output<typeof storageOverviewView>;
export type RetentionRun = z.output<typeof retentionRunView>;
export type CompactionRun = z.output<typeof compactionView>;
export type LogLine = z.output<typeof logView>;
export type LogPage = z.output<typeof logPage>;
export type LogLevel = z.output<typeof logLevel>;

export interface UserList {
  users: User[];
  total: number;
  limit: number;
  offset: number;
}

export type { AlarmView as Alarm } from '../../../src/contract/http/alarms.ts';
export type { RuleView as Rule } from '../../../src/contract/http/rules.ts';
export type AlarmWithHistory = z.output<typeof alarmWithHistory>;
export type AlarmCounts = z.output<typeof alarmCountsView>;
export type DryRun = z.output<typeof dryRunView>;
export type NotificationPreferences = z.output<typeof notificationPreferencesView>;
export type OutboxRow = z.output<typeof outboxRowView>;

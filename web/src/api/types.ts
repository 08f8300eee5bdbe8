// Wire types, taken from the server's contract so the two cannot drift (type-only: no code shipped).
import type { z } from 'zod';
import type { loginResponse, userView } from '../../../src/contract/http/auth.ts';
import type { chartView, seriesResponse } from '../../../src/contract/http/charts.ts';
import type { deviceView } from '../../../src/contract/http/devices.ts';
import type { pointView } from '../../../src/contract/http/telemetry.ts';

export type User = z.output<typeof userView>;
export type LoginResponse = z.output<typeof loginResponse> & { refresh_token?: string };
export type Device = z.output<typeof deviceView>;
export type DeviceCreated = Device & { api_key: string };
export type PointView = z.output<typeof pointView>;
export type SavedChart = z.output<typeof chartView>;
export type SeriesResponse = z.output<typeof seriesResponse>;
export type FieldSeries = SeriesResponse['fields'][number];

export interface DeviceList {
  devices: Device[];
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

// Issue 3 (commands and desired state) — shapes as that issue describes them.
export interface Command {
  id: string;
  command: string;
  parameters: Record<string, unknown>;
  status: 'pending' | 'delivered' | 'acked' | 'failed' | 'expired';
  created_at: string;
  updated_at?: string;
  result?: unknown;
}
export interface DeviceState {
  desired: Record<string, unknown>;
  reported: Record<string, unknown>;
  delta: Record<string, unknown>;
}

// Issue 4 (accounts and sharing).
export interface AccessGrant {
  user_id: string;
  username?: string;
  level: 'read' | 'control';
}

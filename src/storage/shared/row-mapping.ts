// Converting between table rows and domain objects, shared by both adapters.
import type { Device, DeviceStatus } from '../../domain/device.ts';
import type { DeviceFile, FileKind } from '../../domain/device-file.ts';
import { type LogEntry, levelOfSeverity } from '../../domain/device-log.ts';
import type { RollupRow } from '../../domain/rollup.ts';
import type { Point, PointValue } from '../../domain/telemetry.ts';
import type { Role, User, UserWithSecret } from '../../domain/user.ts';
import type { DeviceFilesTable, DevicesTable, PointsTable, UsersTable } from './schema.ts';

export const VALUE_TYPE = { number: 0, boolean: 1, string: 2 } as const;

function parseJsonObject(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function toUser(row: UsersTable): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    role: row.role as Role,
    isActive: Number(row.is_active) === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    lastLogin: row.last_login === null ? null : Number(row.last_login),
  };
}

export function toUserWithSecret(row: UsersTable): UserWithSecret {
  return { ...toUser(row), passwordHash: row.password_hash };
}

export function toDevice(row: DevicesTable): Device {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    deviceType: row.device_type,
    location: row.location,
    firmwareVersion: row.firmware_version,
    hardwareVersion: row.hardware_version,
    status: row.status as DeviceStatus,
    metadata: parseJsonObject(row.metadata),
    config: parseJsonObject(row.config),
    ownerId: row.owner_id,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    lastSeen: row.last_seen === null ? null : Number(row.last_seen),
  };
}

export function valueColumns(value: PointValue): { num: number | null; str: string | null; type: number } {
  if (typeof value === 'number') return { num: value, str: null, type: VALUE_TYPE.number };
  if (typeof value === 'boolean') return { num: value ? 1 : 0, str: null, type: VALUE_TYPE.boolean };
  return { num: null, str: value, type: VALUE_TYPE.string };
}

export function toPoint(row: PointsTable): Point {
  const type = Number(row.type);
  const value: PointValue =
    type === VALUE_TYPE.string ? (row.str ?? '') : type === VALUE_TYPE.boolean ? Number(row.num) === 1 : Number(row.num);
  return { deviceId: row.device_id, field: row.field, ts: Number(row.ts), value, meta: row.meta };
}

/** The rollup columns reads use, in order: both adapters read them as arrays (no object per row). */
export const ROLLUP_COLUMNS = 'bucket, count, sum, min, max, first_ts, first, last_ts, last';
export type RollupColumns = [bucket: number, count: number, sum: number, min: number, max: number, firstTs: number, first: number, lastTs: number, last: number];

export function fromRollupColumns([bucket, count, sum, min, max, firstTs, first, lastTs, last]: RollupColumns): RollupRow {
  return { bucket, count, sum, min, max, firstTs, first, lastTs, last };
}

export function toDeviceFile(row: DeviceFilesTable): DeviceFile {
  return {
    id: row.id,
    deviceId: row.device_id,
    kind: row.kind as FileKind,
    originalName: row.original_name,
    contentType: row.content_type,
    size: Number(row.size),
    sha256: row.sha256,
    blobKey: row.blob_key,
    uploadedBy: row.uploaded_by,
    uploadedAt: Number(row.uploaded_at),
  };
}

export function toLogEntry(row: { id: number; device_id: string; ts: number; severity: number; message: string; source: string | null }): LogEntry {
  return {
    id: Number(row.id),
    deviceId: row.device_id,
    ts: Number(row.ts),
    level: levelOfSeverity(Number(row.severity)),
    message: row.message,
    source: row.source,
  };
}

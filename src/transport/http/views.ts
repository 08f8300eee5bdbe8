// Domain objects as the API shows them (snake_case, ISO times), matching the contract schemas.
import { isoFormatter } from './iso-time.ts';
import type { z } from 'zod';
import type { createdUserView, userView, loginResponse } from '../../contract/http/auth.ts';
import type { deviceView } from '../../contract/http/devices.ts';
import type { pointView } from '../../contract/http/telemetry.ts';
import type { grantView } from '../../contract/http/access.ts';
import type { auditView } from '../../contract/http/admin.ts';
import type { AuditEntry, DeviceGrant } from '../../domain/accounts.ts';
import type { Device } from '../../domain/device.ts';
import type { Point, PointValue } from '../../domain/telemetry.ts';
import type { User } from '../../domain/user.ts';

const iso = (ms: number) => new Date(ms).toISOString();
/** For answers carrying thousands of times (history pages): same text, formatted faster. */
const pointTime = isoFormatter();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function userToView(u: User): z.output<typeof userView> {
  return {
    id: u.id,
    user_id: u.id,
    username: u.username,
    email: u.email,
    role: u.role,
    is_admin: u.role === 'admin',
    is_active: u.isActive,
    created_at: iso(u.createdAt),
    updated_at: iso(u.updatedAt),
    last_login: isoOrNull(u.lastLogin),
  };
}

export function createdUserToView(u: User): z.output<typeof createdUserView> {
  const user = userToView(u);
  return { ...user, status: 'success', message: 'User created successfully', user };
}

export type LoginView = z.output<typeof loginResponse>;

export function deviceToView(d: Device, offlineAfterMs: number, now = Date.now()): z.output<typeof deviceView> {
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    device_type: d.deviceType,
    location: d.location,
    firmware_version: d.firmwareVersion,
    hardware_version: d.hardwareVersion,
    status: d.status,
    online: d.online ?? (d.lastSeen !== null && now - d.lastSeen < offlineAfterMs),
    metadata: d.metadata,
    config: d.config,
    ...mockServiceBase(d.config),
    owner_id: d.ownerId,
    created_at: iso(d.createdAt),
    updated_at: iso(d.updatedAt),
    last_seen: isoOrNull(d.lastSeen),
  };
}

/** The IoT Mock Service's base_power / base_voltage, shown beside config when the device has them. */
function mockServiceBase(config: Record<string, unknown>): { base_power?: number; base_voltage?: number } {
  const out: { base_power?: number; base_voltage?: number } = {};
  if (typeof config.base_power === 'number') out.base_power = config.base_power;
  if (typeof config.base_voltage === 'number') out.base_voltage = config.base_voltage;
  return out;
}

/** A device's latest values (see DeviceLatest) as a list shows them: field -> { value, ts (ISO) }. */
export function latestToView(latest: ReadonlyMap<string, { value: PointValue; ts: number }> | undefined): Record<string, { value: PointValue; ts: string }> {
  const out: Record<string, { value: PointValue; ts: string }> = {};
  for (const [field, p] of latest ?? []) out[field] = { value: p.value, ts: iso(p.ts) };
  return out;
}

/** A stored point as the API shows it; `outOfRange` flags a reading outside its profile's expected range. */
export function pointToView(p: Point, outOfRange?: (field: string, value: unknown) => boolean): z.output<typeof pointView> {
  const view: z.output<typeof pointView> = { timestamp: pointTime(p.ts), ts: p.ts, field: p.field, value: p.value };
  if (p.meta) view.metadata = JSON.parse(p.meta) as Record<string, unknown>;
  if (outOfRange?.(p.field, p.value)) view.out_of_range = true;
  return view;
}

export function grantToView(g: DeviceGrant): z.output<typeof grantView> {
  return { device_id: g.deviceId, user_id: g.userId, username: g.username, level: g.level, granted_by: g.grantedBy, created_at: iso(g.createdAt) };
}

export function auditToView(e: AuditEntry): z.output<typeof auditView> {
  return {
    id: e.id,
    at: iso(e.at),
    actor_id: e.actorId,
    actor_name: e.actorName,
    action: e.action,
    target_type: e.targetType,
    target_id: e.targetId,
    details: e.details,
  };
}

// What telemetry takes, per device and per profile, with the retention that applies: the admin
// page's storage panel and GET /api/v1/admin/storage.
import type { DeviceUsage, Storage } from '../storage/storage.ts';
import type { ProfileService } from './profile-service.ts';
import { type RetentionDays, effectiveRetention } from './retention-policy.ts';

export interface ProfileUsage {
  /** The profile's id, or null for devices no profile describes. */
  profileId: string | null;
  name: string;
  devices: number;
  points: number;
  bytes: number;
  /** The profile's own policy over the defaults (a field may still override it). */
  retention: RetentionDays;
}

export interface StorageOverview {
  defaults: RetentionDays;
  totals: { chunks: number; points: number; bytes: number };
  profiles: ProfileUsage[];
  /** The largest devices first. */
  devices: DeviceUsage[];
}

export async function storageOverview(storage: Storage, profiles: ProfileService, defaults: RetentionDays, topDevices: number): Promise<StorageOverview> {
  const usage = await storage.telemetryUsage();
  const byProfile = new Map<string, ProfileUsage>();
  const resolved = await profiles.forDevices(usage.map((u) => ({ id: u.deviceId, deviceType: u.deviceType, ownerId: u.ownerId })));
  for (const u of usage) {
    const profile = resolved.get(u.deviceId);
    const key = profile?.id ?? '';
    let p = byProfile.get(key);
    if (!p) {
      p = { profileId: profile?.id ?? null, name: profile?.name ?? 'No profile', devices: 0, points: 0, bytes: 0, retention: effectiveRetention(defaults, profile?.retention) };
      byProfile.set(key, p);
    }
    p.devices++;
    p.points += u.points;
    p.bytes += u.bytes;
  }
  const sum = (pick: (u: DeviceUsage) => number) => usage.reduce((n, u) => n + pick(u), 0);
  return {
    defaults,
    totals: { chunks: sum((u) => u.chunks), points: sum((u) => u.points), bytes: sum((u) => u.bytes) },
    profiles: [...byProfile.values()].sort((a, b) => b.bytes - a.bytes),
    devices: usage.slice(0, topDevices),
  };
}

// Which retention applies to a series: its field's policy in the device's profile, else the profile's,
// else the RETENTION_* defaults, component by component (raw points, minute rollups, hourly rollups).
import type { RetentionSpec } from '../contract/profiles/profile.ts';
import { DAY } from '../domain/time.ts';
import type { RetentionCut } from '../storage/storage.ts';

/** Days kept per kind of data; 0 keeps it forever. */
export interface RetentionDays {
  raw: number;
  minute: number;
  hour: number;
}

export const KEEP_FOREVER: RetentionDays = { raw: 0, minute: 0, hour: 0 };

export function effectiveRetention(defaults: RetentionDays, profile?: RetentionSpec, field?: RetentionSpec): RetentionDays {
  const pick = (own: number | null | undefined, inherited: number | null | undefined, fallback: number) => own ?? inherited ?? fallback;
  return {
    raw: pick(field?.raw_days, profile?.raw_days, defaults.raw),
    minute: pick(field?.minute_days, profile?.minute_days, defaults.minute),
    hour: pick(field?.hour_days, profile?.hour_days, defaults.hour),
  };
}

export function keepsEverything(days: RetentionDays): boolean {
  return days.raw === 0 && days.minute === 0 && days.hour === 0;
}

export function retentionCut(deviceId: string, field: string, days: RetentionDays, now: number): RetentionCut {
  const before = (d: number) => (d === 0 ? null : now - d * DAY);
  return { deviceId, field, rawBefore: before(days.raw), minuteBefore: before(days.minute), hourBefore: before(days.hour) };
}

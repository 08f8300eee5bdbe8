// A device's profile on the page: fetched once per device, and the formatting it implies (unit,
// decimals, labels of booleans and enums), so every value, axis and tooltip says what it measures.
import { resolveProfile } from '../../../src/contract/profiles/profile-resolution.ts';
import type { DeviceProfile, FieldSpec, Profile } from '../api/types.ts';
import { useApp } from '../session.tsx';
import { type AsyncState, useAsync } from './use-async.ts';
import { formatValue } from './format.ts';

export function useDeviceProfile(deviceId: string): AsyncState<DeviceProfile> {
  const { api } = useApp();
  return useAsync(() => api.get<DeviceProfile>(`/api/v1/devices/${encodeURIComponent(deviceId)}/profile`), [api, deviceId]);
}

/** The spec of a field, or undefined when the profile does not describe it (unprofiled). */
export function fieldSpec(profile: DeviceProfile['profile'] | undefined, key: string): FieldSpec | undefined {
  return profile?.fields.find((f) => f.key === key);
}

/** A value as its field says to show it: "21.5 °C", "on", "Night"; without a spec, as it came. */
export function formatReading(value: unknown, spec: FieldSpec | undefined): string {
  if (!spec) return formatValue(value);
  // A boolean averaged by the server over a bucket arrives as a number: mostly on reads as on.
  if (spec.kind === 'boolean' && typeof value === 'number') value = value >= 0.5;
  const label = spec.labels[String(value)];
  if (label !== undefined) return label;
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value !== 'number') return formatValue(value);
  const number = spec.decimals === null ? formatValue(value) : value.toFixed(spec.decimals);
  return spec.unit ? `${number} ${spec.unit}` : number;
}

/** "Temperature (°C)": a field's label with its unit, for axes, legends and table headings. */
export function fieldTitle(spec: FieldSpec | undefined, key: string): string {
  if (!spec) return key;
  return spec.unit ? `${spec.label} (${spec.unit})` : spec.label;
}

/**
 * Which profile describes a device in a list: its owner's own profile for the type, else the
 * built-in one (the server's rule), from the profiles the caller can list.
 */
export function profileOf(profiles: readonly Profile[] | undefined, device: { device_type: string; owner_id: string }): Profile | undefined {
  if (!profiles) return undefined;
  const own = profiles.filter((p) => !p.builtin && p.owner_id === device.owner_id);
  return resolveProfile(device.device_type, own, profiles.filter((p) => p.builtin));
}

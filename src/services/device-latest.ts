// The latest values a device list shows beside each device: its profile's main fields (views.main_fields),
// or, for a device without a profile (or whose profile names none), its most recently updated fields.
// A page costs at most two storage queries, however many devices it holds.
import type { Device } from '../domain/device.ts';
import type { Point, PointValue } from '../domain/telemetry.ts';
import type { Storage } from '../storage/storage.ts';
import type { ProfileService } from './profile-service.ts';

/** How many fields an unprofiled device shows: its newest ones. */
export const UNPROFILED_LATEST_FIELDS = 4;

export type LatestValues = Map<string, { value: PointValue; ts: number }>;

export class DeviceLatest {
  constructor(
    private readonly storage: Storage,
    private readonly profiles: ProfileService,
  ) {}

  /** For each device, its latest values in display order (main fields in the profile's order, else newest first). */
  async of(devices: readonly Device[]): Promise<Map<string, LatestValues>> {
    const profiles = await this.profiles.forDevices(devices);
    const mainFields = new Map<string, readonly string[]>();
    for (const d of devices) {
      const fields = profiles.get(d.id)?.views.main_fields ?? [];
      if (fields.length > 0) mainFields.set(d.id, fields);
    }
    const profiled = devices.filter((d) => mainFields.has(d.id)).map((d) => d.id);
    const unprofiled = devices.filter((d) => !mainFields.has(d.id)).map((d) => d.id);
    const wanted = [...new Set([...mainFields.values()].flat())];
    const [ofProfiled, ofUnprofiled] = await Promise.all([
      this.storage.latestPointsOf(profiled, wanted),
      this.storage.latestPointsOf(unprofiled),
    ]);
    const byDevice = groupByDevice([...ofProfiled, ...ofUnprofiled]);
    const out = new Map<string, LatestValues>();
    for (const d of devices) {
      const points = byDevice.get(d.id) ?? [];
      const main = mainFields.get(d.id);
      const shown = main ? inOrder(points, main) : newest(points, UNPROFILED_LATEST_FIELDS);
      out.set(d.id, new Map(shown.map((p) => [p.field, { value: p.value, ts: p.ts }])));
    }
    return out;
  }
}

function groupByDevice(points: readonly Point[]): Map<string, Point[]> {
  const out = new Map<string, Point[]>();
  for (const p of points) {
    const list = out.get(p.deviceId);
    if (list) list.push(p);
    else out.set(p.deviceId, [p]);
  }
  return out;
}

/** The points of `fields`, in that order; fields never sent are left out. */
function inOrder(points: readonly Point[], fields: readonly string[]): Point[] {
  const byField = new Map(points.map((p) => [p.field, p]));
  return fields.flatMap((f) => byField.get(f) ?? []);
}

/** The `n` most recently updated fields, newest first, ties by field name. */
function newest(points: readonly Point[], n: number): Point[] {
  return [...points].sort((a, b) => b.ts - a.ts || (a.field < b.field ? -1 : a.field > b.field ? 1 : 0)).slice(0, n);
}

// Listeners of `points.stored` that keep something per device walk a batch of thousands of points of
// few devices; counting runs of one device first leaves them one map update per device, not per point.
import type { Point } from '../domain/telemetry.ts';

/** How many of `points` each device has, in first-seen order. */
export function pointsPerDevice(points: readonly Point[]): Map<string, number> {
  const counts = new Map<string, number>();
  let device: string | undefined;
  let run = 0;
  for (const p of points) {
    if (p.deviceId === device) {
      run++;
      continue;
    }
    if (device !== undefined) counts.set(device, (counts.get(device) ?? 0) + run);
    device = p.deviceId;
    run = 1;
  }
  if (device !== undefined) counts.set(device, (counts.get(device) ?? 0) + run);
  return counts;
}

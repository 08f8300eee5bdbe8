// What the evaluator knows of one device: the newest value of each field, a short window of numeric
// samples for rate conditions, when data last came, whether it is online, and where its own limits
// live (metadata, config, desired state). Kept in memory by the engine; built from stored points by
// the dry run. Pure: no I/O, no clock.
import type { Point, PointValue } from '../domain/telemetry.ts';

export interface Sample {
  ts: number;
  value: PointValue;
}

export interface DeviceFacts {
  deviceId: string;
  latest: Map<string, Sample>;
  /** Numeric samples, oldest first, of fields that rate conditions watch. */
  windows: Map<string, Array<{ ts: number; value: number }>>;
  /** Newest data of any field, or null when none was ever seen. */
  lastSeen: number | null;
  /** Since when the evaluator has been watching: silence before any data counts from here. */
  watchingSince: number;
  /** Connection state from status events; absent: judged from lastSeen and OFFLINE_AFTER. */
  status?: { online: boolean; since: number } | undefined;
  metadata: Record<string, unknown>;
  config: Record<string, unknown>;
  desired: Record<string, unknown>;
}

export function emptyFacts(deviceId: string, watchingSince: number, lastSeen: number | null = null): DeviceFacts {
  return { deviceId, latest: new Map(), windows: new Map(), lastSeen, watchingSince, metadata: {}, config: {}, desired: {} };
}

/**
 * Records one point. `keepMs` is how much history of this field rate conditions need (0: none).
 * A point older than the newest of its field still counts for silence but does not replace the value.
 */
export function recordPoint(facts: DeviceFacts, point: Pick<Point, 'ts' | 'field' | 'value'>, keepMs: number): void {
  const current = facts.latest.get(point.field);
  if (!current || point.ts >= current.ts) facts.latest.set(point.field, { ts: point.ts, value: point.value });
  if (facts.lastSeen === null || point.ts > facts.lastSeen) facts.lastSeen = point.ts;
  if (keepMs <= 0 || typeof point.value !== 'number') return;
  let window = facts.windows.get(point.field);
  if (!window) facts.windows.set(point.field, (window = []));
  // Points mostly arrive in order; an out-of-order one is placed where it belongs.
  let i = window.length;
  while (i > 0 && window[i - 1]!.ts > point.ts) i -= 1;
  window.splice(i, 0, { ts: point.ts, value: point.value });
  const newest = window[window.length - 1]!.ts;
  let drop = 0;
  while (drop < window.length - 1 && window[drop]!.ts < newest - keepMs) drop += 1;
  if (drop > 0) window.splice(0, drop);
}

/** Online or not, and since when: from status events when known, else from lastSeen and OFFLINE_AFTER. */
export function onlineState(facts: DeviceFacts, now: number, offlineAfterMs: number): { online: boolean; since: number } {
  if (facts.status) return facts.status;
  const seen = facts.lastSeen;
  if (seen !== null && now - seen < offlineAfterMs) return { online: true, since: seen };
  return { online: false, since: seen === null ? facts.watchingSince : seen + offlineAfterMs };
}

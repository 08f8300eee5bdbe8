// Telemetry the benches send: flat messages of FIELDS numeric fields, timestamps strictly rising
// per device so that no point is a duplicate (a duplicate costs less than a real insert).
import type { Point } from '../../src/domain/telemetry.ts';

export const FIELDS = ['temperature', 'humidity', 'pressure', 'voltage', 'current'] as const;
const STEP_MS = 100;

/** Per device, the next unused timestamp; starts 20 days back so nothing is "in the future". */
export class Clock {
  private readonly next = new Map<string, number>();
  constructor(private readonly start = Date.now() - 20 * 86_400_000) {}
  take(deviceId: string, messages: number): number {
    const ts = this.next.get(deviceId) ?? this.start;
    this.next.set(deviceId, ts + messages * STEP_MS);
    return ts;
  }
}

function message(ts: number, i: number): Record<string, number> {
  const m: Record<string, number> = { timestamp: ts };
  FIELDS.forEach((f, k) => (m[f] = Math.round((20 + k + Math.sin(i / 50) * 5) * 100) / 100));
  return m;
}

/** A JSON array of `points / FIELDS.length` flat messages for one device. */
export function batchBody(clock: Clock, deviceId: string, points: number): string {
  const messages = Math.ceil(points / FIELDS.length);
  const t0 = clock.take(deviceId, messages);
  const arr = [];
  for (let i = 0; i < messages; i++) arr.push(message(t0 + i * STEP_MS, i));
  return JSON.stringify(arr);
}

/** One point: a flat message with one field. */
export function singleBody(clock: Clock, deviceId: string): string {
  const ts = clock.take(deviceId, 1);
  return `{"timestamp":${ts},"temperature":${(20 + Math.random()).toFixed(2)}}`;
}

/** The same kind of points as batchBody, as Point objects for the adapter. */
export function batchPoints(clock: Clock, deviceId: string, points: number): Point[] {
  const messages = Math.ceil(points / FIELDS.length);
  const t0 = clock.take(deviceId, messages);
  const out: Point[] = [];
  for (let i = 0; i < messages; i++) {
    const m = message(t0 + i * STEP_MS, i);
    for (const f of FIELDS) out.push({ deviceId, ts: m.timestamp!, field: f, value: m[f]!, meta: null });
  }
  return out;
}

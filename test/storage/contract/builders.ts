// Builders for users, devices and points, and a reference rollup computed straight from points.
// Free of node:test, so a child process (the SQLite crash test) can use them too.
import type { Device, NewDevice } from '../../../src/domain/device.ts';
import type { Granularity, RollupRow } from '../../../src/domain/rollup.ts';
import type { Point, PointValue } from '../../../src/domain/telemetry.ts';
import type { NewUser, User } from '../../../src/domain/user.ts';
import type { Storage } from '../../../src/storage/storage.ts';

let counter = 0;
/** A name no other test in this process uses. */
export function uid(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter.toString(36)}`;
}

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
/** 2026-01-15T10:00:00Z, on an hour boundary. */
export const T0 = Date.UTC(2026, 0, 15, 10, 0, 0);

export function userInput(over: Partial<NewUser> = {}): NewUser {
  const id = over.id ?? uid('usr');
  return {
    id,
    username: `name-${id}`,
    email: `${id}@example.test`,
    passwordHash: `$argon2id$hash-of-${id}`,
    role: 'user',
    isActive: true,
    ...over,
  };
}

export function makeUser(storage: Storage, over: Partial<NewUser> = {}): Promise<User> {
  return storage.createUser(userInput(over));
}

export function deviceInput(ownerId: string, over: Partial<NewDevice> = {}): NewDevice {
  const id = over.id ?? uid('dev');
  return {
    id,
    name: `Device ${id}`,
    description: null,
    deviceType: 'sensor',
    location: null,
    firmwareVersion: null,
    hardwareVersion: null,
    status: 'active',
    metadata: {},
    config: {},
    ownerId,
    apiKeyHash: `key-hash-${id}`,
    ...over,
  };
}

/** A device with a fresh owner of its own. */
export async function makeDevice(storage: Storage, over: Partial<NewDevice> = {}): Promise<Device> {
  const owner = over.ownerId ?? (await makeUser(storage)).id;
  return storage.createDevice(deviceInput(owner, over));
}

export function pt(deviceId: string, field: string, ts: number, value: PointValue, meta: string | null = null): Point {
  return { deviceId, field, ts, value, meta };
}

/** Points in the order a query returns them: by time, then field, reversed for `desc`. */
export function sorted(points: readonly Point[], order: 'asc' | 'desc' = 'asc'): Point[] {
  const out = [...points].sort((a, b) => a.ts - b.ts || (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
  return order === 'asc' ? out : out.reverse();
}

/** Rollups of one device and field computed directly from its points, the way a reader would by hand. */
export function expectedRollups(points: readonly Point[], deviceId: string, field: string, granularity: Granularity): RollupRow[] {
  const size = granularity === 'minute' ? MINUTE : HOUR;
  const buckets = new Map<number, Array<{ ts: number; v: number }>>();
  for (const p of points) {
    if (p.deviceId !== deviceId || p.field !== field || typeof p.value === 'string') continue;
    const bucket = Math.floor(p.ts / size) * size;
    const list = buckets.get(bucket) ?? [];
    list.push({ ts: p.ts, v: typeof p.value === 'boolean' ? Number(p.value) : p.value });
    buckets.set(bucket, list);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([bucket, list]) => {
      const byTime = [...list].sort((a, b) => a.ts - b.ts);
      const values = list.map((x) => x.v);
      const first = byTime[0]!;
      const last = byTime[byTime.length - 1]!;
      return {
        bucket,
        count: list.length,
        sum: values.reduce((a, b) => a + b, 0),
        min: Math.min(...values),
        max: Math.max(...values),
        firstTs: first.ts,
        first: first.v,
        lastTs: last.ts,
        last: last.v,
      };
    });
}

/** Every point of a device in [start, end), oldest first. */
export function allPoints(storage: Storage, deviceId: string, start: number, end: number): Promise<Point[]> {
  return storage.queryPoints({ deviceId, start, end, order: 'asc', limit: 100_000 });
}

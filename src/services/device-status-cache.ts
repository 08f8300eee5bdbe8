// IoTFlow's device-status cache: the last status (online/offline) and last_seen of every device,
// fed by the bus as points are stored and devices connect or drop. In memory by default; with
// REDIS_URL the entries are written to one Redis hash in batches (never one write per message), so
// every node reads the same cache. A Redis outage degrades to this node's memory, never to errors.
// Its admin endpoints read the counts and clear all or one device's entry; a cleared device
// reappears with its next message.
import type { Redis } from 'ioredis';
import type { EventBus } from './event-bus.ts';
import { pointsPerDevice } from './points-by-device.ts';

export interface CachedDeviceStatus {
  status: 'online' | 'offline';
  lastSeen: number;
}

export interface DeviceStatusCacheStats {
  store: 'memory' | 'redis';
  cachedDevices: number;
  online: number;
  offline: number;
  hits: number;
  misses: number;
  clearedAt: number | null;
}

export interface DeviceStatusCacheOptions {
  redis?: Redis | undefined;
  keyPrefix?: string;
  /** How often pending entries go to Redis. */
  flushMs?: number;
  now?: () => number;
  onError?: (err: unknown) => void;
}

const OWNER = 'device-status-cache';

function parse(text: string | null | undefined): CachedDeviceStatus | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Partial<CachedDeviceStatus>;
    return (v.status === 'online' || v.status === 'offline') && typeof v.lastSeen === 'number' ? { status: v.status, lastSeen: v.lastSeen } : undefined;
  } catch {
    return undefined;
  }
}

export class DeviceStatusCache {
  private readonly entries = new Map<string, CachedDeviceStatus>();
  private pending = new Map<string, CachedDeviceStatus>();
  private hits = 0;
  private misses = 0;
  private clearedAt: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly redis: Redis | undefined;
  private readonly key: string;
  private readonly now: () => number;
  private readonly onError: (err: unknown) => void;

  constructor(
    private readonly bus: EventBus,
    private readonly options: DeviceStatusCacheOptions = {},
  ) {
    this.redis = options.redis;
    this.key = `${options.keyPrefix ?? 'fluxgate'}:device-status`;
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => {});
  }

  get store(): 'memory' | 'redis' {
    return this.redis ? 'redis' : 'memory';
  }

  start(): void {
    this.bus.on('points.stored', OWNER, ({ points }) => {
      const at = this.now();
      for (const deviceId of pointsPerDevice(points).keys()) this.put(deviceId, { status: 'online', lastSeen: at });
    });
    this.bus.on('device.status', OWNER, ({ deviceId, online, at }) => {
      const previous = this.entries.get(deviceId);
      this.put(deviceId, { status: online ? 'online' : 'offline', lastSeen: online ? at : (previous?.lastSeen ?? at) });
    });
    this.bus.on('device.deleted', OWNER, ({ deviceId }) => void this.clearDevice(deviceId));
    if (this.redis) {
      this.timer = setInterval(() => void this.flush(), this.options.flushMs ?? 1000);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    this.bus.removeOwner(OWNER);
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  private put(deviceId: string, entry: CachedDeviceStatus): void {
    this.entries.set(deviceId, entry);
    if (this.redis) this.pending.set(deviceId, entry);
  }

  /** Writes the entries changed since the last flush to Redis in one command. */
  async flush(): Promise<void> {
    if (!this.redis || this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.redis.hset(this.key, Object.fromEntries([...batch].map(([id, e]) => [id, JSON.stringify(e)])));
    } catch (err) {
      for (const [id, e] of batch) if (!this.pending.has(id)) this.pending.set(id, e);
      this.onError(err);
    }
  }

  /** A device's entry (from Redis when shared, else this node's memory); counts a hit or a miss. */
  async get(deviceId: string): Promise<CachedDeviceStatus | undefined> {
    let entry = this.pending.get(deviceId) ?? (this.redis ? undefined : this.entries.get(deviceId));
    if (!entry && this.redis) entry = await this.fromRedis(() => this.redis!.hget(this.key, deviceId).then(parse), () => this.entries.get(deviceId));
    if (entry) this.hits++;
    else this.misses++;
    return entry;
  }

  async stats(): Promise<DeviceStatusCacheStats> {
    await this.flush();
    const all = this.redis
      ? await this.fromRedis(
          async () => Object.values(await this.redis!.hgetall(this.key)).map(parse).filter((e) => e !== undefined),
          () => [...this.entries.values()],
        )
      : [...this.entries.values()];
    const online = all.filter((e) => e.status === 'online').length;
    return { store: this.store, cachedDevices: all.length, online, offline: all.length - online, hits: this.hits, misses: this.misses, clearedAt: this.clearedAt };
  }

  /** Drops every entry; returns how many there were. */
  async clear(): Promise<number> {
    const { cachedDevices } = await this.stats();
    this.entries.clear();
    this.pending.clear();
    if (this.redis) await this.fromRedis(() => this.redis!.del(this.key), () => 0);
    this.clearedAt = this.now();
    return cachedDevices;
  }

  /** Drops one device's entry; false when it had none. */
  async clearDevice(deviceId: string): Promise<boolean> {
    const here = this.entries.delete(deviceId);
    const pending = this.pending.delete(deviceId);
    if (!this.redis) return here;
    const removed = await this.fromRedis(() => this.redis!.hdel(this.key, deviceId), () => 0);
    return removed > 0 || pending;
  }

  private async fromRedis<T>(read: () => Promise<T>, fallback: () => T): Promise<T> {
    try {
      return await read();
    } catch (err) {
      this.onError(err);
      return fallback();
    }
  }
}

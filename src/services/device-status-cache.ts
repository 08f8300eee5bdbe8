// IoTFlow's device-status cache: the last status (online/offline) and last_seen of every device
// this node has heard from, held in memory and fed by the bus as points are stored and devices
// connect or drop. Its admin endpoints read the counts and clear all or one device's entry; a
// cleared device reappears with its next message.
import type { EventBus } from './event-bus.ts';

export interface CachedDeviceStatus {
  status: 'online' | 'offline';
  lastSeen: number;
}

export interface DeviceStatusCacheStats {
  store: 'memory';
  cachedDevices: number;
  online: number;
  offline: number;
  hits: number;
  misses: number;
  clearedAt: number | null;
}

const OWNER = 'device-status-cache';

export class DeviceStatusCache {
  private readonly entries = new Map<string, CachedDeviceStatus>();
  private hits = 0;
  private misses = 0;
  private clearedAt: number | null = null;

  constructor(
    private readonly bus: EventBus,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.bus.on('points.stored', OWNER, ({ points }) => {
      const at = this.now();
      for (const p of points) this.entries.set(p.deviceId, { status: 'online', lastSeen: at });
    });
    this.bus.on('device.status', OWNER, ({ deviceId, online, at }) => {
      const previous = this.entries.get(deviceId);
      this.entries.set(deviceId, { status: online ? 'online' : 'offline', lastSeen: online ? at : (previous?.lastSeen ?? at) });
    });
    this.bus.on('device.deleted', OWNER, ({ deviceId }) => this.entries.delete(deviceId));
  }

  stop(): void {
    this.bus.removeOwner(OWNER);
  }

  /** The cached entry of a device; counts a hit or a miss. */
  get(deviceId: string): CachedDeviceStatus | undefined {
    const entry = this.entries.get(deviceId);
    if (entry) this.hits++;
    else this.misses++;
    return entry;
  }

  stats(): DeviceStatusCacheStats {
    let online = 0;
    for (const e of this.entries.values()) if (e.status === 'online') online++;
    return {
      store: 'memory',
      cachedDevices: this.entries.size,
      online,
      offline: this.entries.size - online,
      hits: this.hits,
      misses: this.misses,
      clearedAt: this.clearedAt,
    };
  }

  /** Drops every entry; returns how many there were. */
  clear(): number {
    const n = this.entries.size;
    this.entries.clear();
    this.clearedAt = this.now();
    return n;
  }

  /** Drops one device's entry; false when it had none. */
  clearDevice(deviceId: string): boolean {
    return this.entries.delete(deviceId);
  }
}

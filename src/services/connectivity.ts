// Online/offline. An MQTT device is online while connected (its keepalive proves it); any device
// is also online while it sent something within OFFLINE_AFTER, and offline after that. Changes are
// published once on the bus as 'device.status' (the MQTT status topic and live views follow it).
import type { DeviceStatusReason, EventBus } from './event-bus.ts';
import type { Presence } from './presence.ts';

export class Connectivity {
  private readonly connections = new Map<string, number>();
  private readonly online = new Set<string>();
  /** When each device last went offline: only traffic after that brings it back. */
  private readonly offlineAt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly presence: Presence,
    private readonly bus: EventBus,
    private readonly offlineAfterMs: number,
    private readonly sweepMs = Math.min(5_000, offlineAfterMs),
  ) {}

  start(): void {
    this.timer = setInterval(() => this.sweep(), this.sweepMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  isOnline(deviceId: string): boolean {
    return this.online.has(deviceId);
  }

  isConnected(deviceId: string): boolean {
    return this.connections.has(deviceId);
  }

  connected(deviceId: string, at = Date.now()): void {
    this.connections.set(deviceId, (this.connections.get(deviceId) ?? 0) + 1);
    this.presence.seen(deviceId, at);
    this.set(deviceId, true, at, 'connected');
  }

  disconnected(deviceId: string, at = Date.now()): void {
    const left = (this.connections.get(deviceId) ?? 1) - 1;
    if (left > 0) return void this.connections.set(deviceId, left);
    this.connections.delete(deviceId);
    this.presence.seen(deviceId, at);
    this.set(deviceId, false, at, 'disconnected');
  }

  /** Marks devices whose traffic started or stopped (HTTP devices, and MQTT devices of other nodes). */
  sweep(now = Date.now()): void {
    for (const [deviceId, lastSeen] of this.presence.seenDevices()) {
      if (this.connections.has(deviceId)) continue;
      const fresh = now - lastSeen < this.offlineAfterMs;
      const newer = lastSeen > (this.offlineAt.get(deviceId) ?? -Infinity);
      if (fresh && newer && !this.online.has(deviceId)) this.set(deviceId, true, lastSeen, 'traffic');
      else if (!fresh && this.online.has(deviceId)) this.set(deviceId, false, now, 'timeout');
    }
  }

  forget(deviceId: string): void {
    this.connections.delete(deviceId);
    this.online.delete(deviceId);
    this.offlineAt.delete(deviceId);
  }

  private set(deviceId: string, online: boolean, at: number, reason: DeviceStatusReason): void {
    if (online === this.online.has(deviceId)) return;
    this.presence.setOnline(deviceId, online);
    if (online) this.online.add(deviceId);
    else {
      this.online.delete(deviceId);
      this.offlineAt.set(deviceId, at);
    }
    this.bus.emit('device.status', { deviceId, online, at, reason });
  }
}

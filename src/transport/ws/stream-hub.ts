// Fans bus events out to the WebSocket connections that follow each device. Access is checked once,
// when a connection subscribes (DeviceAccess.require, the one rule); the hub only routes.
import type { StreamPoint, StreamServerMessage } from '../../contract/stream.ts';
import type { Command } from '../../domain/command.ts';
import type { EventBus } from '../../services/event-bus.ts';

export interface StreamClient {
  send(message: StreamServerMessage): void;
}

const OWNER = 'ws-stream';

export class StreamHub {
  private readonly followers = new Map<string, Set<StreamClient>>();

  constructor(private readonly bus: EventBus) {}

  start(): void {
    this.bus.on('points.stored', OWNER, ({ points }) => {
      const byDevice = new Map<string, StreamPoint[]>();
      for (const p of points) {
        if (!this.followers.has(p.deviceId)) continue;
        let list = byDevice.get(p.deviceId);
        if (!list) byDevice.set(p.deviceId, (list = []));
        list.push({ ts: p.ts, field: p.field, value: p.value });
      }
      for (const [deviceId, list] of byDevice) this.publish(deviceId, { type: 'points', device_id: deviceId, points: list });
    });
    this.bus.on('device.status', OWNER, ({ deviceId, online, at }) => {
      this.publish(deviceId, { type: 'status', device_id: deviceId, online, last_seen: at });
    });
    const forwardCommand = ({ command: c }: { command: Command }) => {
      this.publish(c.deviceId, {
        type: 'command',
        device_id: c.deviceId,
        command_id: c.id,
        command: c.command,
        status: c.status,
        ...(c.result !== undefined && c.result !== null ? { result: c.result } : {}),
      });
    };
    this.bus.on('command.created', OWNER, forwardCommand);
    this.bus.on('command.updated', OWNER, forwardCommand);
    this.bus.on('device.deleted', OWNER, ({ deviceId }) => {
      this.publish(deviceId, { type: 'device_deleted', device_id: deviceId });
      this.followers.delete(deviceId);
    });
  }

  stop(): void {
    this.bus.removeOwner(OWNER);
    this.followers.clear();
  }

  /** Sends `message` to every connection following `deviceId` (status and command events use this too). */
  publish(deviceId: string, message: StreamServerMessage): void {
    for (const client of this.followers.get(deviceId) ?? []) client.send(message);
  }

  follow(client: StreamClient, deviceId: string): void {
    let set = this.followers.get(deviceId);
    if (!set) this.followers.set(deviceId, (set = new Set()));
    set.add(client);
  }

  unfollow(client: StreamClient, deviceId: string): void {
    const set = this.followers.get(deviceId);
    if (!set) return;
    set.delete(client);
    if (set.size === 0) this.followers.delete(deviceId);
  }

  get connectionsFollowing(): number {
    const all = new Set<StreamClient>();
    for (const set of this.followers.values()) for (const c of set) all.add(c);
    return all.size;
  }
}

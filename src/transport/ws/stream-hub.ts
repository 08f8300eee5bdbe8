// Fans bus events (points, status, commands, alarms) out to the WebSocket connections that follow each
// device, and alarm changes also to the connections subscribed to all alarms. Access is checked when
// a connection subscribes (DeviceAccess.require, the one rule) and again whenever the bus says it may
// have changed ('access.changed'): the hub stops delivery to the affected subscriptions at once, then
// the connection re-checks them and either resumes or tells the client it lost them.
import type { StreamPoint, StreamServerMessage } from '../../contract/stream.ts';
import type { Command } from '../../domain/command.ts';
import type { AccessChangeReason, BusEvents, EventBus } from '../../services/event-bus.ts';

export interface StreamClient {
  send(message: StreamServerMessage): void;
  /** The signed-in user, once authenticated. */
  userId(): string | undefined;
  /**
   * Access of this connection's user may have changed: the hub has already stopped delivering
   * `deviceIds`; the connection re-checks its session and these devices, and re-follows those it
   * still may read.
   */
  recheck(deviceIds: string[], reason: AccessChangeReason): void;
  /**
   * Sends an alarm message of a device this connection does not follow, if its user may read that
   * device (checked, then remembered until `forgetAccess`), keeping the order of messages per device.
   */
  sendIfReadable(deviceId: string, message: StreamServerMessage): void;
  /** Access of this connection's user may have changed: what sendIfReadable remembered is stale. */
  forgetAccess(): void;
}

const OWNER = 'ws-stream';

export class StreamHub {
  private readonly followers = new Map<string, Set<StreamClient>>();
  /** Every authenticated connection and the devices it follows (a session can end without any). */
  private readonly connections = new Map<StreamClient, Set<string>>();
  /** Connections that receive the alarm changes of every device their user may read. */
  private readonly alarmFollowers = new Set<StreamClient>();

  constructor(private readonly bus: EventBus) {}

  start(): void {
    this.on('points.stored', ({ points }) => {
      const byDevice = new Map<string, StreamPoint[]>();
      let unfollowed: string | undefined;
      for (const p of points) {
        if (p.deviceId === unfollowed) continue;
        if (!this.followers.has(p.deviceId)) {
          unfollowed = p.deviceId;
          continue;
        }
        let list = byDevice.get(p.deviceId);
        if (!list) byDevice.set(p.deviceId, (list = []));
        list.push({ ts: p.ts, field: p.field, value: p.value });
      }
      for (const [deviceId, list] of byDevice) this.publish(deviceId, { type: 'points', device_id: deviceId, points: list });
    });
    this.on('device.status', ({ deviceId, online, at }) => {
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
    this.on('command.created', forwardCommand);
    this.on('command.updated', forwardCommand);
    this.on('alarm.changed', ({ alarm, kind, at, userId, comment }) => {
      const message: StreamServerMessage = {
        type: 'alarm',
        device_id: alarm.deviceId,
        alarm_id: alarm.id,
        rule_id: alarm.ruleId,
        rule_name: alarm.ruleName,
        event: kind,
        severity: alarm.severity,
        state: alarm.state,
        at,
        user_id: userId,
        comment,
      };
      this.publish(alarm.deviceId, message);
      const followers = this.followers.get(alarm.deviceId);
      for (const client of this.alarmFollowers) if (!followers?.has(client)) client.sendIfReadable(alarm.deviceId, message);
    });
    this.on('device.deleted', ({ deviceId }) => {
      this.publish(deviceId, { type: 'device_deleted', device_id: deviceId });
      for (const client of [...(this.followers.get(deviceId) ?? [])]) this.unfollow(client, deviceId);
    });
    this.on('access.changed', ({ deviceIds, userIds, reason }) => {
      for (const [client, followed] of this.connections) {
        const userId = client.userId();
        if (userIds && (userId === undefined || !userIds.includes(userId))) continue;
        if (this.alarmFollowers.has(client)) client.forgetAccess();
        const affected = deviceIds ? deviceIds.filter((id) => followed.has(id)) : [...followed];
        // A user named in the event hears of it even when following none of the devices: a subscribe
        // of theirs may be in flight (see stream-route).
        if (deviceIds && affected.length === 0 && !userIds) continue;
        for (const id of affected) this.unfollow(client, id);
        client.recheck(affected, reason);
      }
    });
  }

  /** Live views follow events of every node (see EventBus.emitRemote). */
  private on<K extends keyof BusEvents>(event: K, fn: (payload: BusEvents[K]) => void): void {
    this.bus.on(event, OWNER, fn, { remote: true });
  }

  stop(): void {
    this.bus.removeOwner(OWNER);
    this.followers.clear();
    this.connections.clear();
    this.alarmFollowers.clear();
  }

  /** An authenticated connection: it hears about session changes even while following nothing. */
  connect(client: StreamClient): void {
    if (!this.connections.has(client)) this.connections.set(client, new Set());
  }

  disconnect(client: StreamClient): void {
    for (const id of this.connections.get(client) ?? []) this.unfollow(client, id);
    this.connections.delete(client);
    this.alarmFollowers.delete(client);
  }

  /** `client` receives (or no longer receives) the alarm changes of every device it may read. */
  followAlarms(client: StreamClient, on: boolean): void {
    if (!on) this.alarmFollowers.delete(client);
    else {
      this.connect(client);
      this.alarmFollowers.add(client);
    }
  }

  /** The devices `client` follows now. */
  followedBy(client: StreamClient): ReadonlySet<string> {
    return this.connections.get(client) ?? new Set();
  }

  /** Sends `message` to every connection following `deviceId` (status and command events use this too). */
  publish(deviceId: string, message: StreamServerMessage): void {
    for (const client of this.followers.get(deviceId) ?? []) client.send(message);
  }

  follow(client: StreamClient, deviceId: string): void {
    this.connect(client);
    this.connections.get(client)!.add(deviceId);
    let set = this.followers.get(deviceId);
    if (!set) this.followers.set(deviceId, (set = new Set()));
    set.add(client);
  }

  unfollow(client: StreamClient, deviceId: string): void {
    this.connections.get(client)?.delete(deviceId);
    const set = this.followers.get(deviceId);
    if (!set) return;
    set.delete(client);
    if (set.size === 0) this.followers.delete(deviceId);
  }

  get connectionsFollowing(): number {
    let n = 0;
    for (const followed of this.connections.values()) if (followed.size > 0) n += 1;
    return n;
  }
}

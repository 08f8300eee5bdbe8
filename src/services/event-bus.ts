// The internal bus: every accepted point, status change, command result and alarm change is published here once
// and fanned out (WebSocket, MQTT bridge, rules). Listeners register per owner so a feature that
// stops removes all of its listeners with one call. With several nodes, events published on another
// node arrive through `emitRemote` (the cluster bus) and reach only the listeners that asked for them
// (live views); everything else (MQTT relays, AMQP, rules, counters) acts once, on the node of origin.
import type { Alarm, AlarmEventKind } from '../domain/alarm.ts';
import type { Command, DesiredState } from '../domain/command.ts';
import type { Point } from '../domain/telemetry.ts';

export interface BusEvents {
  'points.stored': { points: readonly Point[] };
  'device.created': { deviceId: string; ownerId: string; deviceType: string };
  'device.deleted': { deviceId: string };
  /** A user was given access to a device (the Energy Management System's "assign"). */
  'device.assigned': { deviceId: string; userId: string; level: string };
  'user.created': { userId: string; username: string; role: string };
  'device.key-rotated': { deviceId: string };
  'device.updated': { deviceId: string };
  /** A command was stored and waits for delivery. */
  'command.created': { command: Command };
  /**
   * A command still pending COMMAND_RESEND_AFTER_MS after it was created (its node may have died before
   * handing it to the broker): the scheduler leader asks its transports to send it again. Not a
   * change of the command, so live views and the cluster bus do not carry it.
   */
  'command.resend': { command: Command };
  /** A command moved to delivered, acked, failed or expired. */
  'command.updated': { command: Command };
  /** A device's desired state changed. */
  'state.desired': { state: DesiredState };
  /** A device went online or offline (MQTT connect/disconnect/last will, or OFFLINE_AFTER without traffic). */
  'device.status': { deviceId: string; online: boolean; at: number; reason: DeviceStatusReason };
  /** A rule was created, changed or deleted: the rule engine reloads it. */
  'rule.changed': { ruleId: string };
  /** An alarm was raised, acknowledged, cleared, changed severity or got a comment (`alarm` is its state after). */
  'alarm.changed': { alarm: Alarm; kind: AlarmEventKind; at: number; userId: string | null; comment: string | null };
  /**
   * Someone may have lost access: a grant was revoked, devices changed owner, or a user's sessions
   * ended (deactivated, deleted, logged out everywhere, role or password changed). Live views re-check
   * the subscriptions of `userIds` (any user when absent) on `deviceIds` (all of theirs when absent).
   */
  'access.changed': { deviceIds?: readonly string[]; userIds?: readonly string[]; reason: AccessChangeReason };
}

export type AccessChangeReason = 'unshared' | 'transferred' | 'sessions-revoked' | 'user-deactivated' | 'user-deleted';

export type DeviceStatusReason = 'connected' | 'disconnected' | 'traffic' | 'timeout';

type Listener<K extends keyof BusEvents> = (payload: BusEvents[K]) => void;

export interface ListenOptions {
  /** Also hear events published on other nodes (emitRemote). */
  remote?: boolean;
}

export class EventBus {
  private readonly listeners = new Map<keyof BusEvents, Array<{ owner: string; fn: Listener<never>; remote: boolean }>>();

  on<K extends keyof BusEvents>(event: K, owner: string, fn: Listener<K>, options: ListenOptions = {}): void {
    const list = this.listeners.get(event) ?? [];
    list.push({ owner, fn: fn as Listener<never>, remote: options.remote ?? false });
    this.listeners.set(event, list);
  }

  emit<K extends keyof BusEvents>(event: K, payload: BusEvents[K]): void {
    this.deliver(event, payload, false);
  }

  /** An event another node published: only listeners registered with `remote` hear it. */
  emitRemote<K extends keyof BusEvents>(event: K, payload: BusEvents[K]): void {
    this.deliver(event, payload, true);
  }

  private deliver<K extends keyof BusEvents>(event: K, payload: BusEvents[K], remoteOnly: boolean): void {
    for (const { fn, remote } of this.listeners.get(event) ?? []) {
      if (remoteOnly && !remote) continue;
      try {
        (fn as Listener<K>)(payload);
      } catch {
        // A failing listener must not stop delivery to the others or the publisher.
      }
    }
  }

  removeOwner(owner: string): void {
    for (const [event, list] of this.listeners) this.listeners.set(event, list.filter((l) => l.owner !== owner));
  }
}

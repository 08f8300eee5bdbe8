// What a Home Assistant user may see and do over MQTT (the MqttUserScope port of services/):
// subscribe to anything under the discovery prefix or Fluxgate's HA tree, receive only messages
// about devices they may read, publish only to command topics of devices they may control.
// The devices a connected user may read are kept in memory (aedes asks synchronously as it
// forwards each message) and reloaded whenever access may have changed.
import type { HaTopics } from '../../contract/home-assistant/ha-topics.ts';
import type { Principal } from '../../services/auth-service.ts';
import type { EventBus } from '../../services/event-bus.ts';
import type { MqttUserScope } from '../../services/mqtt-user-scope.ts';
import type { HaCommands } from './ha-commands.ts';

const OWNER = 'home-assistant-access';

export interface HaAccessDeps {
  topics: HaTopics;
  bus: EventBus;
  commands: HaCommands;
  /** Ids of the devices a user owns or that are shared with them. */
  visibleDeviceIds(userId: string): Promise<string[]>;
  /** Whether `principal` may send commands to / set desired state of a device. */
  mayControl(principal: Principal, deviceId: string): Promise<boolean>;
  warn(message: string, detail: Record<string, unknown>): void;
}

interface UserView {
  connections: number;
  visible: Set<string>;
}

export class HaAccess implements MqttUserScope {
  private readonly users = new Map<string, UserView>();

  constructor(private readonly deps: HaAccessDeps) {}

  start(): void {
    const reload = () => void this.reloadAll();
    const { bus } = this.deps;
    bus.on('access.changed', OWNER, reload);
    // device.created and device.assigned: the publisher calls reload() before it announces the device.
    // Not on device.deleted: the empty configs that remove a deleted device must still reach those who saw it.
  }

  stop(): void {
    this.deps.bus.removeOwner(OWNER);
  }

  maySubscribe(filter: string): boolean {
    return this.deps.topics.covers(filter);
  }

  mayReceive(userId: string, topic: string): boolean {
    const deviceId = this.deps.topics.deviceOf(topic);
    return deviceId !== undefined && (this.users.get(userId)?.visible.has(deviceId) ?? false);
  }

  async mayPublish(principal: Principal, topic: string): Promise<boolean> {
    const parsed = this.deps.topics.parseDevice(topic);
    if (parsed?.kind !== 'set' && parsed?.kind !== 'mode') return false;
    return this.deps.mayControl(principal, parsed.deviceId);
  }

  handles(topic: string): boolean {
    const kind = this.deps.topics.parseDevice(topic)?.kind;
    return kind === 'set' || kind === 'mode';
  }

  handle(principal: Principal, topic: string, payload: string): Promise<void> {
    return this.deps.commands.handle(principal, topic, payload);
  }

  async connected(userId: string): Promise<void> {
    const view = this.users.get(userId);
    if (view) {
      view.connections++;
      return;
    }
    const visible = new Set(await this.deps.visibleDeviceIds(userId));
    const raced = this.users.get(userId);
    if (raced) raced.connections++;
    else this.users.set(userId, { connections: 1, visible });
  }

  disconnected(userId: string): void {
    const view = this.users.get(userId);
    if (view && --view.connections <= 0) this.users.delete(userId);
  }

  /** Reloads what a connected user may see (nothing to do for a user not connected). */
  async reload(userId: string): Promise<void> {
    const view = this.users.get(userId);
    if (!view) return;
    try {
      view.visible = new Set(await this.deps.visibleDeviceIds(userId));
    } catch (err) {
      this.deps.warn('Home Assistant: reloading what a user may see failed', { userId, err: (err as Error).message });
    }
  }

  private async reloadAll(): Promise<void> {
    await Promise.all([...this.users.keys()].map((userId) => this.reload(userId)));
  }
}

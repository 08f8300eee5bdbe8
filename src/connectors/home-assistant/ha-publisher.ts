// Publishes Home Assistant discovery (retained): each announced device's configs, its state JSON
// after every commit (from the bus's points.stored) and its availability (device.status).
// A deleted device, or one no longer announced, has its configs cleared with empty retained
// payloads, which is how HA removes entities.
import type { HaDiscoveryMode } from '../../contract/home-assistant/ha-discovery-mode.ts';
import { haDiscoveryFor } from '../../contract/home-assistant/ha-discovery-mode.ts';
import { haEntities, haStateValues } from '../../contract/home-assistant/ha-entities.ts';
import type { HaTopics } from '../../contract/home-assistant/ha-topics.ts';
import type { ProfileDefinition } from '../../contract/profiles/profile.ts';
import type { Device } from '../../domain/device.ts';
import type { Point } from '../../domain/telemetry.ts';
import type { EventBus } from '../../services/event-bus.ts';

const OWNER = 'home-assistant';

export interface HaPublisherDeps {
  topics: HaTopics;
  mode: HaDiscoveryMode;
  version: string;
  bus: EventBus;
  /** Publishes on the broker (QoS 1); resolves once the broker took it. */
  publish(topic: string, payload: string, retain: boolean): Promise<void>;
  allDevices(): Promise<Device[]>;
  device(id: string): Promise<Device | undefined>;
  profileOf(device: Device): Promise<ProfileDefinition | undefined>;
  latest(deviceId: string): Promise<Point[]>;
  /**
   * Reloads what a user may see (HaAccess), awaited before a device new to them is announced, so
   * its retained configs reach their connected Home Assistant.
   */
  reloadUser(userId: string): Promise<void>;
  /** Whether the device is online now (this node's connectivity). */
  isOnline(deviceId: string): boolean;
  warn(message: string, detail: Record<string, unknown>): void;
}

interface Announced {
  profile: ProfileDefinition | undefined;
  configTopics: string[];
  latest: Map<string, { value: unknown; ts: number }>;
}

export class HaPublisher {
  private readonly announced = new Map<string, Announced>();
  /** Per device, the work in flight: a device's updates are published in order. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly deps: HaPublisherDeps) {}

  async start(): Promise<void> {
    const { bus } = this.deps;
    bus.on('points.stored', OWNER, ({ points }) => this.pointsStored(points));
    bus.on('device.status', OWNER, ({ deviceId, online }) => {
      if (this.announced.has(deviceId)) this.enqueue(deviceId, () => this.availability(deviceId, online));
    });
    bus.on('device.created', OWNER, ({ deviceId, ownerId }) => this.enqueue(deviceId, () => this.deps.reloadUser(ownerId).then(() => this.refresh(deviceId))));
    bus.on('device.assigned', OWNER, ({ deviceId, userId }) => this.enqueue(deviceId, () => this.deps.reloadUser(userId).then(() => this.refresh(deviceId))));
    bus.on('device.updated', OWNER, ({ deviceId }) => this.enqueue(deviceId, () => this.refresh(deviceId)));
    bus.on('device.deleted', OWNER, ({ deviceId }) => this.enqueue(deviceId, () => this.withdraw(deviceId)));
    for (const device of await this.deps.allDevices()) await this.enqueue(device.id, () => this.announce(device));
  }

  async stop(): Promise<void> {
    this.deps.bus.removeOwner(OWNER);
    await Promise.all(this.queues.values());
  }

  /** Whether a device's discovery configs are published now. */
  isAnnounced(deviceId: string): boolean {
    return this.announced.has(deviceId);
  }

  private enqueue(deviceId: string, work: () => Promise<void>): Promise<void> {
    const next = (this.queues.get(deviceId) ?? Promise.resolve())
      .then(work)
      .catch((err: unknown) => this.deps.warn('Home Assistant discovery: publish failed', { deviceId, err: (err as Error).message }));
    this.queues.set(deviceId, next);
    void next.then(() => {
      if (this.queues.get(deviceId) === next) this.queues.delete(deviceId);
    });
    return next;
  }

  private async refresh(deviceId: string): Promise<void> {
    const device = await this.deps.device(deviceId);
    if (device) await this.announce(device);
    else await this.withdraw(deviceId);
  }

  private async announce(device: Device): Promise<void> {
    if (!haDiscoveryFor(this.deps.mode, device.metadata)) return this.withdraw(device.id);
    const { topics, publish, version } = this.deps;
    const profile = await this.deps.profileOf(device);
    const entities = profile ? haEntities(device, profile, topics, { sw_version: version }) : [];
    const previous = this.announced.get(device.id);
    const configTopics = entities.map((e) => e.topic);
    const latest = previous?.latest ?? new Map((await this.deps.latest(device.id)).map((p) => [p.field, { value: p.value, ts: p.ts }]));
    this.announced.set(device.id, { profile, configTopics, latest });
    // Availability and state first, so HA finds values when it subscribes after reading a config.
    await this.availability(device.id, this.deps.isOnline(device.id));
    await this.publishState(device.id);
    for (const e of entities) await publish(e.topic, JSON.stringify(e.config), true);
    for (const stale of previous?.configTopics ?? []) if (!configTopics.includes(stale)) await publish(stale, '', true);
  }

  private async withdraw(deviceId: string): Promise<void> {
    const known = this.announced.get(deviceId);
    if (!known) return;
    this.announced.delete(deviceId);
    const { publish, topics } = this.deps;
    for (const topic of known.configTopics) await publish(topic, '', true);
    await publish(topics.state(deviceId), '', true);
    await publish(topics.availability(deviceId), '', true);
  }

  private availability(deviceId: string, online: boolean): Promise<void> {
    return this.deps.publish(this.deps.topics.availability(deviceId), online ? 'online' : 'offline', true);
  }

  private pointsStored(points: readonly Point[]): void {
    const touched = new Set<string>();
    for (const p of points) {
      const known = this.announced.get(p.deviceId);
      if (!known) continue;
      const current = known.latest.get(p.field);
      if (!current || current.ts <= p.ts) known.latest.set(p.field, { value: p.value, ts: p.ts });
      touched.add(p.deviceId);
    }
    for (const deviceId of touched) this.enqueue(deviceId, () => this.publishState(deviceId));
  }

  private async publishState(deviceId: string): Promise<void> {
    const known = this.announced.get(deviceId);
    if (!known || known.latest.size === 0) return;
    await this.deps.publish(this.deps.topics.state(deviceId), JSON.stringify(haStateValues(known.profile, known.latest)), true);
  }
}

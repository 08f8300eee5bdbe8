// Home Assistant discovery (HA_DISCOVERY): the access scope the broker asks about users (made
// before the broker, it goes into MqttPolicy) and the publisher, started once the embedded broker runs.
import type { Aedes } from 'aedes';
import type { Logger } from 'pino';
import { HaAccess } from '../connectors/home-assistant/ha-access.ts';
import { HaCommands } from '../connectors/home-assistant/ha-commands.ts';
import { HaPublisher } from '../connectors/home-assistant/ha-publisher.ts';
import type { Config } from '../config.ts';
import { HaTopics } from '../contract/home-assistant/ha-topics.ts';
import type { Device } from '../domain/device.ts';
import type { DeviceAccess } from '../services/access.ts';
import type { CommandService } from '../services/command-service.ts';
import type { Connectivity } from '../services/connectivity.ts';
import type { EventBus } from '../services/event-bus.ts';
import type { ProfileService } from '../services/profile-service.ts';
import type { Storage } from '../storage/storage.ts';

const PAGE = 500;

export interface HomeAssistantWiring {
  access: HaAccess;
  /** Starts publishing on the embedded broker; returns the running publisher. */
  startPublisher(aedes: Aedes): Promise<HaPublisher>;
}

interface Deps {
  storage: Storage;
  access: DeviceAccess;
  commands: CommandService;
  profiles: ProfileService;
  connectivity: Connectivity;
  bus: EventBus;
  logger: Logger;
  version: string;
}

async function allDevices(storage: Storage): Promise<Device[]> {
  const out: Device[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const { items } = await storage.listDevices({ limit: PAGE, offset, sort: 'created_at', order: 'asc' });
    out.push(...items);
    if (items.length < PAGE) return out;
  }
}

export function wireHomeAssistant(config: Config, deps: Deps): HomeAssistantWiring | undefined {
  if (config.HA_DISCOVERY === 'false') return undefined;
  const { storage, bus, logger, profiles } = deps;
  const topics = new HaTopics(config.HA_DISCOVERY_PREFIX);
  const device = (id: string) => storage.getDevice(id);
  const profileOf = (d: Device) => profiles.forDevice(d);
  const warn = (message: string, detail: Record<string, unknown>) => logger.warn(detail, message);
  const commands = new HaCommands({ topics, commands: deps.commands, device, profileOf });
  const access = new HaAccess({
    topics,
    bus,
    commands,
    visibleDeviceIds: (userId) => storage.visibleDeviceIds(userId),
    mayControl: (principal, deviceId) => deps.access.require(principal, deviceId, 'control').then(() => true, () => false),
    warn,
  });
  return {
    access,
    async startPublisher(aedes) {
      const publisher = new HaPublisher({
        topics,
        mode: config.HA_DISCOVERY,
        version: deps.version,
        bus,
        publish: (topic, payload, retain) =>
          new Promise<void>((resolve, reject) =>
            aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain, dup: false }, (err) => (err ? reject(err) : resolve())),
          ),
        allDevices: () => allDevices(storage),
        device,
        profileOf,
        latest: (id) => storage.latestPoints(id),
        isOnline: (id) => deps.connectivity.isOnline(id),
        reloadUser: (userId) => access.reload(userId),
        warn,
      });
      access.start();
      await publisher.start();
      logger.info({ prefix: topics.prefix, mode: config.HA_DISCOVERY }, 'Home Assistant discovery published');
      return publisher;
    },
  };
}

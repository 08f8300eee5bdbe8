// Cross-node events (external broker mode): what a live view must see happens on any node, so each
// node publishes its own bus events on `[<topic prefix>/]fluxgate/internal/<share group>/events/<event>` and
// subscribes to that topic tree (not shared: every node gets every event). Each message carries the
// origin node's id; the subscription is MQTT 5 No Local, so the broker does not send a node its own
// events back (stringified, sent and parsed again per stored point, they cost a node's ingest dearly),
// and a node still drops any of its own, so an event is delivered once per node with no echo loop,
// and the events it receives go to the live views only (EventBus.emitRemote). QoS 0 on a
// separate clean-session connection: live events are best effort, like the stream itself, and never
// wait behind this node's device traffic. Devices must not reach these topics: the broker's ACL
// allows them only their own devices/{id}/… topics (the embedded ACL and the auth hooks do).
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { BusEvents, EventBus } from '../../services/event-bus.ts';

/** The events another node's live views show (the stream hub's), plus desired state. */
export const CLUSTER_EVENTS = [
  'points.stored',
  'device.status',
  'command.created',
  'command.updated',
  'state.desired',
  'alarm.changed',
  'access.changed',
  'device.deleted',
] as const satisfies ReadonlyArray<keyof BusEvents>;
type ClusterEvent = (typeof CLUSTER_EVENTS)[number];

/** Points per message, so a large group commit stays under brokers' packet limits (EMQX: 1 MB). */
const POINTS_PER_MESSAGE = 1000;
const OWNER = 'cluster-bus';

export interface ClusterBusOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  shareGroup: string;
  /** MQTT_TOPIC_PREFIX: deployments sharing a broker under different prefixes keep their events apart. */
  topicPrefix: string;
  nodeId: string;
  logger: Logger;
}

export interface ClusterBus {
  readonly connected: boolean;
  readonly counts: { published: number; received: number; dropped: number };
  close(): Promise<void>;
}

export const clusterTopic = (topicPrefix: string, shareGroup: string) => `${topicPrefix ? `${topicPrefix}/` : ''}fluxgate/internal/${shareGroup}/events`;

function isClusterEvent(name: string): name is ClusterEvent {
  return (CLUSTER_EVENTS as readonly string[]).includes(name);
}

export async function connectClusterBus(bus: EventBus, options: ClusterBusOptions): Promise<ClusterBus> {
  const base = clusterTopic(options.topicPrefix, options.shareGroup);
  const counts = { published: 0, received: 0, dropped: 0 };
  const client: MqttClient = await mqtt.connectAsync(options.url, {
    protocolVersion: 5,
    clean: true,
    reconnectPeriod: 1000,
    // Events published while disconnected are dropped, not queued without bound.
    queueQoSZero: false,
    clientId: `fluxgate-bus-${options.nodeId}`,
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
  });
  client.on('error', (err) => options.logger.warn({ err: err.message }, 'cluster event bus: broker error'));
  client.on('connect', () => void client.subscribeAsync(`${base}/#`, { qos: 0, nl: true }).catch(() => {}));
  await client.subscribeAsync(`${base}/#`, { qos: 0, nl: true });

  const send = (event: ClusterEvent, payload: unknown) => {
    if (!client.connected) {
      counts.dropped++;
      return;
    }
    counts.published++;
    client.publish(`${base}/${event}`, JSON.stringify({ origin: options.nodeId, payload }), { qos: 0 });
  };
  for (const event of CLUSTER_EVENTS) {
    bus.on(event, OWNER, (payload: BusEvents[typeof event]) => {
      if (event !== 'points.stored') return send(event, payload);
      const { points } = payload as BusEvents['points.stored'];
      for (let i = 0; i < points.length; i += POINTS_PER_MESSAGE) send(event, { points: points.slice(i, i + POINTS_PER_MESSAGE) });
    });
  }

  client.on('message', (topic, message) => {
    const event = topic.slice(base.length + 1);
    let parsed: { origin?: unknown; payload?: unknown };
    try {
      parsed = JSON.parse(message.toString('utf8')) as typeof parsed;
    } catch {
      counts.dropped++;
      return;
    }
    if (parsed.origin === options.nodeId) return;
    if (!isClusterEvent(event) || typeof parsed.origin !== 'string' || typeof parsed.payload !== 'object' || parsed.payload === null) {
      counts.dropped++;
      return;
    }
    counts.received++;
    bus.emitRemote(event, parsed.payload as BusEvents[typeof event]);
  });

  return {
    get connected() {
      return client.connected;
    },
    counts,
    async close() {
      bus.removeOwner(OWNER);
      await client.endAsync();
    },
  };
}

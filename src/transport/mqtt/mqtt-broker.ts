// The embedded broker: aedes 2 (MQTT 3.1.1 and 5) with sessions, subscriptions and queued QoS 1
// messages kept in LevelDB under DATA_DIR, so they survive a restart. Listeners are added by
// mqtt-listeners.ts; policy comes in through the hooks (authenticate, ACL, bridge).
import { Aedes, type Client, type PublishPacket } from 'aedes';
import { MqttAcl } from './mqtt-acl.ts';
import { MqttClients } from './mqtt-authenticate.ts';
import { MqttBridge } from './mqtt-bridge.ts';
import type { MqttDeps } from './mqtt-deps.ts';
import { MqttCommandRelay } from './mqtt-commands.ts';
import { MqttLimits } from './mqtt-limits.ts';
import { liftExactFiltersOn } from './mqtt-overlap.ts';
import { nullPrototypeBroker } from './mqtt-null-prototype.ts';
import { openMqttPersistence } from './mqtt-persistence.ts';
import { MqttStatusPublisher } from './mqtt-status.ts';
import { serverKeepAlive } from './mqtt5-keepalive.ts';
import { SessionExpiryAcrossRestarts } from './mqtt5-session-expiry.ts';
import { SHARED_MARKER, SharedSubscriptions } from './mqtt-shared-subscriptions.ts';
import { packetSizeLimit } from './mqtt-listeners.ts';

export interface EmbeddedBroker {
  readonly aedes: Aedes;
  readonly shared: SharedSubscriptions;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(deps: MqttDeps, dataDir: string): Promise<EmbeddedBroker> {
  const persistence = await openMqttPersistence(dataDir);
  const { options } = deps;
  const limits = new MqttLimits({
    maxConnections: options.maxConnections ?? Number.MAX_SAFE_INTEGER,
    maxSubscriptions: options.maxSubscriptions ?? Number.MAX_SAFE_INTEGER,
    ratePoints: options.deviceRate?.points ?? 0,
    rateWindowSeconds: options.deviceRate?.windowSeconds ?? 1,
  });
  const owners = await persistence.sessionOwners();
  const clients = new MqttClients(deps, limits, owners);
  const shared = new SharedSubscriptions();
  const acl = new MqttAcl(deps, clients, limits, shared);
  const bridge = new MqttBridge(deps, clients, acl);
  let forward: MqttCommandRelay['authorizeForward'] = (_client, packet) => packet;
  const aedes = await Aedes.createBroker({
    // Nothing is published to a shared subscription's filter as aedes holds it (mqtt-shared-subscriptions.ts).
    authorizeForward: (client, packet) => (packet.topic.startsWith(SHARED_MARKER) ? null : forward(client, packet)),
    persistence,
    connectTimeout: options.connectTimeoutMs,
    maxClientsIdLength: 128,
    // MQTT 5 CONNACK: what clients may send, and how much at once.
    maximumPacketSize: packetSizeLimit(options.maxPayloadBytes),
    receiveMaximum: options.receiveMaximum ?? 1024,
    topicAliasMaximum: options.topicAliasMaximum ?? 0,
    preConnect: serverKeepAlive(options.maxKeepaliveSeconds ?? 65_535),
    authenticate: clients.authenticate,
    authorizePublish: bridge.authorizePublish,
    authorizeSubscribe: acl.authorizeSubscribe,
  });
  nullPrototypeBroker(aedes);
  // [MQTT-3.1.2-6] A clean session ends with its connection, QoS 2 messages still awaiting PUBREL
  // too: aedes 1.2 drops them, the 2 beta keeps them, and fresh client ids would grow the store.
  aedes.on('clientDisconnect', (client: Client) => {
    if (client.clean) persistence.dropIncoming(client).catch(() => {});
  });
  // MQTT 5 Session Expiry [MQTT-4.1.0-2]: aedes wipes an expired session's subscriptions, queue and
  // will; its QoS 2 messages awaiting PUBREL and its owner go too, so another credential may use the id.
  aedes.on('sessionExpired', (client: Client) => {
    persistence.dropIncoming(client).catch(() => {});
    owners.unbind(client.id).catch(() => {});
  });
  const expiries = new SessionExpiryAcrossRestarts(await persistence.sessionDeadlines(), async (clientId) => {
    await persistence.endSession(clientId);
    await owners.unbind(clientId);
  });
  expiries.attach(aedes);
  const publish = (packet: PublishPacket) =>
    new Promise<void>((resolve, reject) => aedes.publish(packet, (err) => (err ? reject(err) : resolve())));
  aedes.on('unsubscribe', (filters: string[], client: Client) => limits.unsubscribed(client, filters));
  clients.attach(aedes);
  shared.attach(aedes);
  liftExactFiltersOn(aedes);
  const status = new MqttStatusPublisher(deps, clients, publish);
  status.attach(aedes);
  const commands = new MqttCommandRelay(deps, clients, publish, false);
  commands.attach(aedes);
  forward = commands.authorizeForward;

  return {
    aedes,
    shared,
    async close() {
      status.detach();
      commands.detach();
      limits.close();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await expiries.close();
      await persistence.destroy();
    },
  };
}

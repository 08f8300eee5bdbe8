// External broker mode (MQTT_URL): no embedded broker. This node is a client of Mosquitto/EMQX and
// takes its share of device traffic through shared subscriptions ($share/<group>/…), so several
// nodes split the load. Each QoS 1 message is PUBACKed to the broker only after its points are
// committed (mqtt.js handleMessage); a node that dies first leaves it to the broker to resend.
// mqtt.js handles one incoming packet at a time per connection, so this path commits per message.
import mqtt, { type MqttClient } from 'mqtt';
import { isFluxgateError } from '../../contract/errors.ts';
import { mqttStatusPayload } from '../../contract/mqtt-topics.ts';
import { MqttCommandRelay } from './mqtt-commands.ts';
import type { MqttDeps } from './mqtt-deps.ts';
import { MqttStatusPublisher } from './mqtt-status.ts';
import { parseMqttPayload } from './mqtt-payload.ts';

export interface ExternalBrokerOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  shareGroup: string;
  /**
   * A client id that stays the same across restarts of this node. With it the node keeps a
   * persistent session (clean=false): a message it received but could not store, and so did not
   * PUBACK, is redelivered by the broker when it reconnects instead of dropped with the session.
   */
  clientId?: string | undefined;
}

export interface ExternalBroker {
  readonly client: MqttClient;
  /** Connected and subscribed: device messages reach this node. */
  readonly receiving: boolean;
  close(): Promise<void>;
}

export async function connectExternalBroker(deps: MqttDeps, options: ExternalBrokerOptions): Promise<ExternalBroker> {
  const { topics } = deps.policy;
  const filters = (['data', 'logs', 'commands/ack', 'status'] as const).map((kind) => `$share/${options.shareGroup}/${topics.all(kind)}`);

  const invalidReason: Partial<Record<string, string>> = { data: 'invalid_telemetry', logs: 'invalid_logs' };
  const drop = (topic: string, reason: string, err: unknown) => {
    deps.metrics.mqttDropped.inc({ reason });
    deps.logger.warn({ topic, reason, detail: (err as Error).message }, 'MQTT message dropped');
  };

  const handle = async (topic: string, message: Buffer): Promise<'ack' | 'withhold'> => {
    const parsed = topics.parse(topic);
    if (!parsed) return 'ack';
    deps.metrics.countMqttMessage(parsed.kind);
    const payload = parseMqttPayload(message);
    if (!payload.ok) {
      drop(topic, payload.invalid === 'json' ? 'invalid_json' : (invalidReason[parsed.kind] ?? 'invalid_ack'), payload.error);
      return 'ack';
    }
    const body = payload.body;
    try {
      if (parsed.kind === 'data') await deps.pipeline.ingest(parsed.deviceId, body);
      else if (parsed.kind === 'logs') await deps.logs?.append(parsed.deviceId, body);
      else if (parsed.kind === 'commands/ack') await deps.commands.ack(parsed.deviceId, body);
      else if (parsed.kind === 'status') {
        const status = mqttStatusPayload.safeParse(body);
        if (status.success && status.data.status === 'online' && !deps.connectivity.isConnected(parsed.deviceId)) deps.connectivity.connected(parsed.deviceId);
        if (status.success && status.data.status === 'offline' && deps.connectivity.isConnected(parsed.deviceId)) deps.connectivity.disconnected(parsed.deviceId);
      }
      return 'ack';
    } catch (err) {
      if (isFluxgateError(err) && err.status === 503) {
        drop(topic, 'storage', err);
        return 'withhold';
      }
      drop(topic, invalidReason[parsed.kind] ?? 'invalid_ack', err);
      return 'ack';
    }
  };

  // mqtt.connect, not connectAsync: handleMessage and the relays must be in place before the first
  // packet. A persistent session's queued messages arrive right behind the CONNACK, before an awaited
  // connect resumes (mqtt.js's default handler would PUBACK them unstored); and this node's HTTP API
  // already answers while the broker connects, so a command stored meanwhile must still be published.
  const client: MqttClient = mqtt.connect(options.url, {
    protocolVersion: 4,
    clean: options.clientId === undefined,
    reconnectPeriod: 1000,
    clientId: options.clientId ?? `fluxgate-${Math.random().toString(36).slice(2, 12)}`,
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
  });
  // handleMessage runs before mqtt.js sends the PUBACK, which it sends once `callback` is called.
  client.handleMessage = (packet, callback) => {
    if (packet.cmd !== 'publish') return callback();
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    void handle(packet.topic, payload).then((outcome) => {
      if (outcome === 'ack') return callback();
      // Storage refused: no PUBACK; dropping the connection makes the broker redeliver.
      client.stream.destroy();
    });
  };
  // mqtt.js holds QoS 1 publishes made before the connection is up and sends them once it is.
  const publish = async (packet: { topic: string; payload: Buffer | string; qos: 0 | 1 | 2; retain: boolean }) => {
    await client.publishAsync(packet.topic, packet.payload, { qos: packet.qos, retain: packet.retain });
  };
  const status = new MqttStatusPublisher(deps, undefined, publish);
  status.attach();
  const commands = new MqttCommandRelay(deps, undefined, publish, true);
  commands.attach();
  try {
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error) => {
        client.off('connect', connected);
        reject(err);
      };
      const connected = () => {
        client.off('error', failed);
        resolve();
      };
      client.once('connect', connected);
      client.once('error', failed);
    });
  } catch (err) {
    status.detach();
    commands.detach();
    await client.endAsync(true);
    throw err;
  }
  // Until the subscription is back after a reconnect, device messages do not reach this node.
  let subscribed = false;
  client.on('close', () => {
    if (subscribed) deps.logger.warn({ url: options.url }, 'Lost the external MQTT broker; reconnecting');
    subscribed = false;
  });
  client.on('connect', () =>
    void client.subscribeAsync(filters, { qos: 1 }).then(
      () => {
        subscribed = client.connected;
      },
      (err: unknown) => deps.logger.error({ err }, 'MQTT subscribe failed'),
    ),
  );
  client.on('error', (err) => deps.logger.warn({ err }, 'MQTT external broker error'));
  await client.subscribeAsync(filters, { qos: 1 });
  subscribed = true;

  const connected = client;
  deps.logger.info({ url: options.url, filters }, 'Connected to the external MQTT broker');

  return {
    client: connected,
    get receiving() {
      return subscribed && connected.connected;
    },
    async close() {
      status.detach();
      commands.detach();
      // Leave the share group first: the broker would otherwise keep queueing this (persistent,
      // now offline) session's share of device messages until the node came back.
      if (connected.connected) await connected.unsubscribeAsync(filters).catch(() => {});
      await connected.endAsync();
    },
  };
}

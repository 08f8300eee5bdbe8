// External broker mode (MQTT_URL): no embedded broker. This node is a client of Mosquitto/EMQX and
// takes its share of device traffic through shared subscriptions ($share/<group>/…), so several
// nodes split the load. It joins the group over several connections (MQTT_EXTERNAL_CONNECTIONS),
// each keeping many messages in flight (mqtt-share-receiver.ts), so concurrent messages share a
// group commit as in embedded mode. Each QoS 1 message is PUBACKed to the broker only after its
// points are committed; a node that dies first leaves it to the broker to resend.
import type { MqttClient } from 'mqtt';
import { isFluxgateError } from '../../contract/errors.ts';
import { mqttStatusPayload } from '../../contract/mqtt-topics.ts';
import { MqttCommandRelay } from './mqtt-commands.ts';
import type { MqttDeps } from './mqtt-deps.ts';
import { MqttStatusPublisher } from './mqtt-status.ts';
import { parseMqttPayload } from './mqtt-payload.ts';
import { type ShareOutcome, type ShareReceiver, connectShareReceiver } from './mqtt-share-receiver.ts';

export interface ExternalBrokerOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  shareGroup: string;
  /** Connections to the share group (each its own session). */
  connections: number;
  /** Messages in flight per connection (MQTT 5 Receive Maximum). */
  receiveMaximum: number;
  /**
   * A client id that stays the same across restarts of this node. With it the node keeps persistent
   * sessions (clean=false): a message it received but could not store, and so did not PUBACK, is
   * redelivered by the broker when it reconnects instead of dropped with the session. Connection 0
   * uses it as is (the id of a node from before there were several), connection i `<id>-<i>`.
   */
  clientId?: string | undefined;
}

export interface ExternalBroker {
  /** Every connection connected and subscribed: all of this node's share of device messages reaches it. */
  readonly receiving: boolean;
  /** Every connection connected. */
  readonly connected: boolean;
  close(): Promise<void>;
}

/** The client id of connection `index`: stable, so each connection finds its own session again. */
export function shareClientId(base: string, index: number): string {
  return index === 0 ? base : `${base}-${index}`;
}

export async function connectExternalBroker(deps: MqttDeps, options: ExternalBrokerOptions): Promise<ExternalBroker> {
  const { topics } = deps.policy;
  const filters = (['data', 'logs', 'commands/ack', 'status'] as const).map((kind) => `$share/${options.shareGroup}/${topics.all(kind)}`);

  const invalidReason: Partial<Record<string, string>> = { data: 'invalid_telemetry', logs: 'invalid_logs' };
  const drop = (topic: string, reason: string, err: unknown) => {
    deps.metrics.mqttDropped.inc({ reason });
    deps.logger.warn({ topic, reason, detail: (err as Error).message }, 'MQTT message dropped');
  };

  // Storage unavailable or the pipeline full (both 503): not stored, so not acknowledged.
  const outcomeOf = (topic: string, kind: string, err: unknown): ShareOutcome => {
    if (err === undefined) return 'ack';
    if (isFluxgateError(err) && err.status === 503) {
      drop(topic, 'storage', err);
      return 'withhold';
    }
    drop(topic, invalidReason[kind] ?? 'invalid_ack', err);
    return 'ack';
  };

  // Telemetry, thousands a second, settles by callback (no promise chain per message).
  const handle = (topic: string, message: Buffer, done: (outcome: ShareOutcome) => void): void => {
    const parsed = topics.parse(topic);
    if (!parsed) return done('ack');
    deps.metrics.countMqttMessage(parsed.kind);
    const payload = parseMqttPayload(message);
    if (!payload.ok) {
      drop(topic, payload.invalid === 'json' ? 'invalid_json' : (invalidReason[parsed.kind] ?? 'invalid_ack'), payload.error);
      return done('ack');
    }
    const body = payload.body;
    if (parsed.kind === 'data') return deps.pipeline.ingestThen(parsed.deviceId, body, (err) => done(outcomeOf(topic, parsed.kind, err)));
    if (parsed.kind === 'status') {
      const status = mqttStatusPayload.safeParse(body);
      if (status.success && status.data.status === 'online' && !deps.connectivity.isConnected(parsed.deviceId)) deps.connectivity.connected(parsed.deviceId);
      if (status.success && status.data.status === 'offline' && deps.connectivity.isConnected(parsed.deviceId)) deps.connectivity.disconnected(parsed.deviceId);
      return done('ack');
    }
    // In an async function, so a synchronous throw settles the message too.
    const work = async () => (parsed.kind === 'logs' ? deps.logs?.append(parsed.deviceId, body) : deps.commands.ack(parsed.deviceId, body));
    void work().then(
      () => done('ack'),
      (err: unknown) => done(outcomeOf(topic, parsed.kind, err ?? new Error('failed'))),
    );
  };

  // The relays are attached before any connection exists: this node's HTTP API already answers while
  // the broker connects, so a command stored meanwhile must still be published. mqtt.js holds QoS 1
  // publishes made before its connection is up and sends them once it is.
  let firstClient: (client: MqttClient) => void = () => {};
  const out = new Promise<MqttClient>((resolve) => (firstClient = resolve));
  // Commands, desired state and status go out on the first connection.
  const publish = async (packet: { topic: string; payload: Buffer | string; qos: 0 | 1 | 2; retain: boolean }) => {
    await (await out).publishAsync(packet.topic, packet.payload, { qos: packet.qos, retain: packet.retain });
  };
  const status = new MqttStatusPublisher(deps, undefined, publish);
  status.attach();
  const commands = new MqttCommandRelay(deps, undefined, publish, true);
  commands.attach();

  const receivers: ShareReceiver[] = [];
  const closeAll = () => Promise.all(receivers.map((r) => r.close()));
  try {
    for (let i = 0; i < options.connections; i++) {
      receivers.push(
        await connectShareReceiver({
          url: options.url,
          username: options.username,
          password: options.password,
          clientId: options.clientId === undefined ? undefined : shareClientId(options.clientId, i),
          filters,
          receiveMaximum: options.receiveMaximum,
          handle,
          onClient: i === 0 ? firstClient : undefined,
          onError: (err, what) => deps.logger.warn({ err, connection: i }, what),
          onLost: () => deps.logger.warn({ url: options.url, connection: i }, 'Lost the external MQTT broker; reconnecting'),
        }),
      );
    }
  } catch (err) {
    status.detach();
    commands.detach();
    await closeAll();
    throw err;
  }
  deps.logger.info({ url: options.url, filters, connections: options.connections }, 'Connected to the external MQTT broker');

  return {
    get receiving() {
      return receivers.every((r) => r.receiving);
    },
    get connected() {
      return receivers.every((r) => r.client.connected);
    },
    async close() {
      status.detach();
      commands.detach();
      await closeAll();
    },
  };
}

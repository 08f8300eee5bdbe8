// Device messages into Fluxgate. `devices/{id}/data` goes through the same IngestPipeline as HTTP.
// For QoS 1 the PUBACK is held until the points are committed: the packet is downgraded to QoS 0
// inside authorizePublish (so aedes sends no PUBACK of its own and keeps reading the socket) and
// this bridge writes the PUBACK after the commit, in the order the messages arrived [MQTT-4.6.0-2].
import type { Client, PublishPacket } from 'aedes';
import mqttPacket from 'mqtt-packet';
import { isFluxgateError } from '../../contract/errors.ts';
import type { MqttAcl } from './mqtt-acl.ts';
import type { MqttClients } from './mqtt-authenticate.ts';
import type { MqttDeps } from './mqtt-deps.ts';

type Outcome = 'stored' | 'dropped' | 'refused';

export class MqttBridge {
  private readonly ackChains = new WeakMap<Client, Promise<void>>();

  constructor(
    private readonly deps: MqttDeps,
    private readonly clients: MqttClients,
    private readonly acl: MqttAcl,
  ) {}

  readonly authorizePublish = (client: Client | null, packet: PublishPacket, done: (error?: Error | null) => void): void => {
    const refusal = this.acl.publishRefusal(client, packet);
    if (refusal !== null) return done(this.acl.refusePublish(client, packet, refusal));
    const who = this.clients.identityOf(client);
    if (!client || who?.kind !== 'device') return done(null);
    const parsed = this.deps.policy.topics.parse(packet.topic);
    if (!parsed) return done(null);
    this.deps.metrics.mqttMessages.inc({ kind: parsed.kind });
    if (parsed.kind === 'data') {
      this.holdAck(client, packet, this.store(client, parsed.deviceId, packet, (id, body) => this.deps.pipeline.ingest(id, body), 'invalid_telemetry'));
    } else if (parsed.kind === 'logs' && this.deps.logs) {
      const logs = this.deps.logs;
      this.holdAck(client, packet, this.store(client, parsed.deviceId, packet, (id, body) => logs.append(id, body), 'invalid_logs'));
    } else if (parsed.kind === 'commands/ack') {
      this.commandAck(client, parsed.deviceId, packet);
    }
    done(null);
  };

  /** Sends the QoS 1 PUBACK only once `outcome` is settled (after commit), in arrival order. */
  private holdAck(client: Client, packet: PublishPacket, outcome: Promise<Outcome>): void {
    if (packet.qos !== 1) return;
    const messageId = packet.messageId;
    packet.qos = 0;
    const previous = this.ackChains.get(client) ?? Promise.resolve();
    const next = previous.then(async () => {
      const result = await outcome;
      if (client.closed) return;
      if (result === 'refused') {
        // Storage cannot take it: no PUBACK. Closing makes the device resend on reconnect.
        client.close();
        return;
      }
      client.conn.write(mqttPacket.generate({ cmd: 'puback', messageId }));
    });
    this.ackChains.set(client, next);
  }

  private async store(
    client: Client,
    deviceId: string,
    packet: PublishPacket,
    commit: (deviceId: string, body: unknown) => Promise<number>,
    invalidReason: string,
  ): Promise<Outcome> {
    let payload: unknown;
    try {
      payload = JSON.parse(typeof packet.payload === 'string' ? packet.payload : packet.payload.toString('utf8'));
    } catch (err) {
      this.drop(client, packet, 'invalid_json', err);
      return 'dropped';
    }
    try {
      await commit(deviceId, payload);
      return 'stored';
    } catch (err) {
      if (isFluxgateError(err) && err.status === 503) {
        this.drop(client, packet, 'storage', err);
        return 'refused';
      }
      this.drop(client, packet, invalidReason, err);
      return 'dropped';
    }
  }

  private commandAck(client: Client, deviceId: string, packet: PublishPacket): void {
    let body: unknown;
    try {
      body = JSON.parse(typeof packet.payload === 'string' ? packet.payload : packet.payload.toString('utf8'));
    } catch (err) {
      return this.drop(client, packet, 'invalid_ack', err);
    }
    this.deps.commands.ack(deviceId, body).catch((err: unknown) => this.drop(client, packet, 'invalid_ack', err));
  }

  private drop(client: Client, packet: PublishPacket, reason: string, err: unknown): void {
    this.deps.metrics.mqttDropped.inc({ reason });
    this.deps.logger.warn({ clientId: client.id, topic: packet.topic, reason, detail: (err as Error).message }, 'MQTT message dropped');
  }
}

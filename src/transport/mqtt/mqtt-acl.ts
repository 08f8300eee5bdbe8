// authorizePublish / authorizeSubscribe: deny by default (MqttPolicy decides); every refusal is
// logged and counted. A refused PUBLISH closes the connection, as MQTT 3.1.1 allows
// [MQTT-3.3.5-2]; a refused SUBSCRIBE gets return code 0x80 in SUBACK.
import type { Client, PublishPacket, Subscription } from 'aedes';
import type { MqttClients } from './mqtt-authenticate.ts';
import type { MqttDeps } from './mqtt-deps.ts';

export class MqttAcl {
  constructor(
    private readonly deps: MqttDeps,
    private readonly clients: MqttClients,
  ) {}

  /** Null when `client` may publish `packet`, else the reason it may not. */
  publishRefusal(client: Client | null, packet: PublishPacket): string | null {
    const who = this.clients.identityOf(client);
    if (!who) return 'unauthenticated client';
    if (packet.payload.length > this.deps.options.maxPayloadBytes) {
      return `payload of ${packet.payload.length} bytes exceeds MQTT_MAX_PAYLOAD_BYTES=${this.deps.options.maxPayloadBytes}`;
    }
    if (!this.deps.policy.mayPublish(who, packet.topic)) return 'topic not allowed';
    return null;
  }

  refusePublish(client: Client | null, packet: PublishPacket, reason: string): Error {
    this.deps.metrics.mqttRefused.inc({ action: 'publish' });
    this.deps.logger.warn({ clientId: client?.id, topic: packet.topic, reason }, 'MQTT publish refused');
    return new Error(`publish to ${packet.topic} refused: ${reason}`);
  }

  readonly authorizeSubscribe = (
    client: Client,
    subscription: Subscription,
    done: (error: Error | null, subscription?: Subscription | null) => void,
  ): void => {
    const who = this.clients.identityOf(client);
    if (who && this.deps.policy.maySubscribe(who, subscription.topic)) return done(null, subscription);
    this.deps.metrics.mqttRefused.inc({ action: 'subscribe' });
    this.deps.logger.warn({ clientId: client.id, topic: subscription.topic }, 'MQTT subscribe refused');
    done(null, null);
  };
}

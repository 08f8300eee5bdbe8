// authorizePublish / authorizeSubscribe: deny by default (MqttPolicy decides); every refusal is
// logged and counted. A refused PUBLISH closes the connection, as MQTT 3.1.1 allows
// [MQTT-3.3.5-2]; a refused SUBSCRIBE gets return code 0x80 in SUBACK. A device over its message
// rate is refused the same way: closing is the only push-back MQTT 3.1.1 has, and a QoS 1 message
// that got no PUBACK is sent again by the device after it reconnects.
import type { Client, PublishPacket, Subscription } from 'aedes';
import type { MqttClients } from './mqtt-authenticate.ts';
import type { MqttDeps } from './mqtt-deps.ts';
import type { MqttLimits } from './mqtt-limits.ts';
import { deliverAtHighestQos } from './mqtt-overlap.ts';

const RATE_REFUSAL = 'message rate over MQTT_RATE_LIMIT_DEVICE';

export class MqttAcl {
  constructor(
    private readonly deps: MqttDeps,
    private readonly clients: MqttClients,
    private readonly limits?: MqttLimits,
  ) {}

  /** Null when `client` may publish `packet`, else the reason it may not. */
  publishRefusal(client: Client | null, packet: PublishPacket): string | null {
    const who = this.clients.identityOf(client);
    if (!who) return 'unauthenticated client';
    if (packet.payload.length > this.deps.options.maxPayloadBytes) {
      return `payload of ${packet.payload.length} bytes exceeds MQTT_MAX_PAYLOAD_BYTES=${this.deps.options.maxPayloadBytes}`;
    }
    if (!this.deps.policy.mayPublish(who, packet.topic)) return 'topic not allowed';
    // A closing client's last will is not a message of its own making: it is never rate limited.
    if (who.kind === 'device' && client && !client.closed && this.limits && !this.limits.takeMessage(who.deviceId)) {
      const rate = this.deps.options.deviceRate;
      return `${RATE_REFUSAL} (${rate?.points ?? 0}/${rate?.windowSeconds ?? 1})`;
    }
    return null;
  }

  refusePublish(client: Client | null, packet: PublishPacket, reason: string): Error {
    this.deps.metrics.mqttRefused.inc({ action: reason.startsWith(RATE_REFUSAL) ? 'rate_limit' : 'publish' });
    this.deps.logger.warn({ clientId: client?.id, topic: packet.topic, reason }, 'MQTT publish refused');
    return new Error(`publish to ${packet.topic} refused: ${reason}`);
  }

  readonly authorizeSubscribe = (
    client: Client,
    subscription: Subscription,
    done: (error: Error | null, subscription?: Subscription | null) => void,
  ): void => {
    const who = this.clients.identityOf(client);
    let reason = 'topic not allowed';
    if (who && this.deps.policy.maySubscribe(who, subscription.topic)) {
      if (!this.limits || this.limits.maySubscribe(client, subscription.topic)) {
        // Before aedes adds the subscription and captures the client's deliver function. A device
        // may only subscribe to exact filters of its own (MqttPolicy.maySubscribe), and distinct
        // exact filters never match one topic: its subscriptions cannot overlap, it needs no wrappers.
        if (who.kind !== 'device') deliverAtHighestQos(client);
        return done(null, subscription);
      }
      reason = `more than MQTT_MAX_SUBSCRIPTIONS=${this.deps.options.maxSubscriptions ?? 0} filters`;
    }
    this.deps.metrics.mqttRefused.inc({ action: 'subscribe' });
    this.deps.logger.warn({ clientId: client.id, topic: subscription.topic, reason }, 'MQTT subscribe refused');
    done(null, null);
  };
}

// authorizePublish / authorizeSubscribe: deny by default (MqttPolicy decides); every refusal is
// logged and counted. Over MQTT 3.1.1 a refused PUBLISH closes the connection, as the standard
// allows [MQTT-3.3.5-2]; a refused SUBSCRIBE gets return code 0x80 in SUBACK. A device over its
// message rate is refused the same way: closing is the only push-back MQTT 3.1.1 has, and a QoS 1
// message that got no PUBACK is sent again by the device after it reconnects. MQTT 5 clients get a
// reason code instead (mqtt5-refusals.ts), and 0x87 in SUBACK.
import type { Client, PublishPacket, Subscription } from 'aedes';
import type { MqttClients } from './mqtt-authenticate.ts';
import type { MqttDeps } from './mqtt-deps.ts';
import type { MqttLimits } from './mqtt-limits.ts';
import { deliverAtHighestQos } from './mqtt-overlap.ts';
import { type SharedSubscriptions, sharedOf } from './mqtt-shared-subscriptions.ts';

/** Why a PUBLISH is refused: MQTT 5 answers each kind with its own reason code. */
export type PublishRefusalKind = 'unauthorized' | 'too_large' | 'rate';

export interface PublishRefusal {
  kind: PublishRefusalKind;
  reason: string;
}

export class MqttAcl {
  constructor(
    private readonly deps: MqttDeps,
    private readonly clients: MqttClients,
    private readonly limits?: MqttLimits,
    /** Embedded broker: `$share/{group}/{filter}`, for whoever may read the whole filter. */
    private readonly shared?: SharedSubscriptions,
  ) {}

  /** Null when `client` may publish `packet`, else the reason it may not. */
  publishRefusal(client: Client | null, packet: PublishPacket): PublishRefusal | null {
    const who = this.clients.identityOf(client);
    if (!who) return { kind: 'unauthorized', reason: 'unauthenticated client' };
    if (packet.payload.length > this.deps.options.maxPayloadBytes) {
      return { kind: 'too_large', reason: `payload of ${packet.payload.length} bytes exceeds MQTT_MAX_PAYLOAD_BYTES=${this.deps.options.maxPayloadBytes}` };
    }
    if (!this.deps.policy.mayPublish(who, packet.topic)) return { kind: 'unauthorized', reason: 'topic not allowed' };
    // A closing client's last will is not a message of its own making: it is never rate limited.
    if (who.kind === 'device' && client && !client.closed && this.limits && !this.limits.takeMessage(who.deviceId)) {
      const rate = this.deps.options.deviceRate;
      return { kind: 'rate', reason: `message rate over MQTT_RATE_LIMIT_DEVICE (${rate?.points ?? 0}/${rate?.windowSeconds ?? 1})` };
    }
    return null;
  }

  refusePublish(client: Client | null, packet: PublishPacket, refusal: PublishRefusal): Error {
    this.deps.metrics.mqttRefused.inc({ action: refusal.kind === 'rate' ? 'rate_limit' : 'publish' });
    this.deps.logger.warn({ clientId: client?.id, topic: packet.topic, reason: refusal.reason }, 'MQTT publish refused');
    return new Error(`publish to ${packet.topic} refused: ${refusal.reason}`);
  }

  readonly authorizeSubscribe = (
    client: Client,
    subscription: Subscription,
    done: (error: Error | null, subscription?: Subscription | null) => void,
  ): void => {
    const who = this.clients.identityOf(client);
    const shared = this.shared ? sharedOf(subscription.topic) : undefined;
    let reason = shared === 'malformed' ? 'malformed shared subscription: $share/{group}/{filter}, the group without /, + or #' : 'topic not allowed';
    if (who && shared !== 'malformed' && this.deps.policy.maySubscribe(who, shared ? shared.filter : subscription.topic)) {
      if (!this.limits || this.limits.maySubscribe(client, subscription.topic)) {
        // Before aedes adds the subscription and captures the client's deliver function. A device
        // may only subscribe to exact filters of its own (MqttPolicy.maySubscribe), and distinct
        // exact filters never match one topic: its subscriptions cannot overlap, it needs no wrappers.
        if (who.kind !== 'device') deliverAtHighestQos(client);
        if (shared) this.shared?.join(client, subscription);
        return done(null, subscription);
      }
      reason = `more than MQTT_MAX_SUBSCRIPTIONS=${this.deps.options.maxSubscriptions ?? 0} filters`;
    }
    this.deps.metrics.mqttRefused.inc({ action: 'subscribe' });
    this.deps.logger.warn({ clientId: client.id, topic: subscription.topic, reason }, 'MQTT subscribe refused');
    done(null, null);
  };
}

// The MQTT wire contract: topic names and payload shapes. The broker ACL, the bridge, the
// simulator and the dashboard all build and parse topics here, so they cannot drift apart.
// Topics live under an optional prefix (MQTT_TOPIC_PREFIX, e.g. `energy` for the seed-001 fleet).
import { z } from 'zod';

/** What a device publishes (in) or receives (out) under `devices/{id}/…`. */
export const DEVICE_TOPIC_KINDS = ['data', 'status', 'commands', 'commands/ack', 'commands/response', 'state/desired', 'logs'] as const;
export type DeviceTopicKind = (typeof DEVICE_TOPIC_KINDS)[number];

/** Kinds a device may publish to under its own id. */
export const DEVICE_PUBLISH_KINDS: readonly DeviceTopicKind[] = ['data', 'status', 'commands/ack', 'commands/response', 'logs'];
/** Kinds a device may subscribe to under its own id. */
export const DEVICE_SUBSCRIBE_KINDS: readonly DeviceTopicKind[] = ['commands', 'state/desired'];

const DEVICE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Normalises a configured prefix: no leading/trailing slashes, empty means none. */
export function normalizePrefix(prefix: string | undefined): string {
  return (prefix ?? '').replace(/^\/+|\/+$/g, '');
}

export class MqttTopics {
  readonly prefix: string;
  private readonly head: string;

  constructor(prefix = '') {
    this.prefix = normalizePrefix(prefix);
    this.head = this.prefix ? `${this.prefix}/devices/` : 'devices/';
  }

  device(deviceId: string, kind: DeviceTopicKind): string {
    return `${this.head}${deviceId}/${kind}`;
  }
  data(deviceId: string): string {
    return this.device(deviceId, 'data');
  }
  status(deviceId: string): string {
    return this.device(deviceId, 'status');
  }
  commands(deviceId: string): string {
    return this.device(deviceId, 'commands');
  }
  commandAck(deviceId: string): string {
    return this.device(deviceId, 'commands/ack');
  }
  /** MQTT 5 request/response: the Response Topic of the commands sent to a device. */
  commandResponse(deviceId: string): string {
    return this.device(deviceId, 'commands/response');
  }
  desiredState(deviceId: string): string {
    return this.device(deviceId, 'state/desired');
  }
  logs(deviceId: string): string {
    return this.device(deviceId, 'logs');
  }

  /** A subscription filter matching `kind` for every device (`devices/+/data`). */
  all(kind: DeviceTopicKind): string {
    return `${this.head}+/${kind}`;
  }

  /** `{deviceId, kind}` when `topic` is a device topic under this prefix, else undefined. */
  parse(topic: string): { deviceId: string; kind: DeviceTopicKind } | undefined {
    if (!topic.startsWith(this.head)) return undefined;
    const rest = topic.slice(this.head.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) return undefined;
    const deviceId = rest.slice(0, slash);
    const kind = rest.slice(slash + 1);
    if (!DEVICE_ID.test(deviceId) || !(DEVICE_TOPIC_KINDS as readonly string[]).includes(kind)) return undefined;
    return { deviceId, kind: kind as DeviceTopicKind };
  }
}

/** Retained on `devices/{id}/status`; also the last will a device should set. */
export const mqttStatusPayload = z.object({
  status: z.enum(['online', 'offline']),
  /** ISO 8601 time of the change. */
  timestamp: z.string().optional(),
});
export type MqttStatusPayload = z.infer<typeof mqttStatusPayload>;

/** Published (QoS 1) on `devices/{id}/commands`. */
export const mqttCommandPayload = z.object({
  id: z.string(),
  command: z.string(),
  parameters: z.record(z.string(), z.unknown()),
  /** ISO 8601 time after which the command expires unacknowledged. */
  expires_at: z.string(),
  created_at: z.string(),
});
export type MqttCommandPayload = z.infer<typeof mqttCommandPayload>;

/** What a device publishes on `devices/{id}/commands/ack` (or POSTs over HTTP). */
export const mqttCommandAckPayload = z.object({
  id: z.string().min(1).max(100),
  status: z.enum(['acked', 'failed']),
  result: z.unknown().optional(),
  error: z.string().max(1000).optional(),
});
export type MqttCommandAckPayload = z.infer<typeof mqttCommandAckPayload>;

/**
 * MQTT 5: what a device publishes on the command's Response Topic (`devices/{id}/commands/response`),
 * with the command's Correlation Data (its id). An `id` in the body, if any, must be that id.
 */
export const mqttCommandResponsePayload = mqttCommandAckPayload.extend({ id: mqttCommandAckPayload.shape.id.optional() });
export type MqttCommandResponsePayload = z.infer<typeof mqttCommandResponsePayload>;

/** Retained on `devices/{id}/state/desired`. */
export const mqttDesiredStatePayload = z.object({
  desired: z.record(z.string(), z.unknown()),
  version: z.number().int(),
  updated_at: z.string(),
});
export type MqttDesiredStatePayload = z.infer<typeof mqttDesiredStatePayload>;

// What Fluxgate keeps in Mosquitto's dynamic security plugin: a client and a role per device
// (its own topics only, as MqttPolicy allows on the embedded broker), and one role for the nodes.
import { createHash } from 'node:crypto';
import { DEVICE_PUBLISH_KINDS, DEVICE_SUBSCRIBE_KINDS, type MqttTopics } from '../../contract/mqtt-topics.ts';

/** The textname that marks a client as a Fluxgate device: clients without it are never touched. */
export const DEVICE_CLIENT_MARK = 'fluxgate device';
export const NODE_ROLE = 'fluxgate-node';

export interface DynsecAcl {
  acltype: 'publishClientSend' | 'publishClientReceive' | 'subscribeLiteral' | 'subscribePattern';
  topic: string;
  allow: boolean;
}

export function deviceRole(deviceId: string): string {
  return `fluxgate-device-${deviceId}`;
}

/**
 * Stored as the client's textdescription: which key the broker's password belongs to, so a resync
 * can tell a stale password (a key rotated while the broker was unreachable) from the current one.
 * A hash of the stored key hash: it tells nothing about the key itself.
 */
export function keyFingerprint(keyHash: string): string {
  return `key ${createHash('sha256').update(`fluxgate-dynsec:${keyHash}`).digest('hex').slice(0, 16)}`;
}
export const UNKNOWN_KEY = 'key unknown: rotate the key to connect over MQTT';

/** Publish data, status, command results and logs; subscribe to its commands and desired state (exact topics, no wildcards). */
export function deviceAcls(topics: MqttTopics, deviceId: string): DynsecAcl[] {
  return [
    ...DEVICE_PUBLISH_KINDS.map((kind) => ({ acltype: 'publishClientSend' as const, topic: topics.device(deviceId, kind), allow: true })),
    ...DEVICE_SUBSCRIBE_KINDS.map((kind) => ({ acltype: 'subscribeLiteral' as const, topic: topics.device(deviceId, kind), allow: true })),
  ];
}

/**
 * A node publishes commands, desired state and cluster events and subscribes to device traffic
 * through `$share/<group>/…` (the plugin checks a shared subscription with its `$share/<group>/`
 * part, and `#` never matches a topic starting with `$`). `$CONTROL/…` stays out of reach.
 */
export function nodeAcls(shareGroup: string): DynsecAcl[] {
  return [
    { acltype: 'publishClientSend', topic: '#', allow: true },
    { acltype: 'subscribePattern', topic: '#', allow: true },
    { acltype: 'subscribePattern', topic: `$share/${shareGroup}/#`, allow: true },
  ];
}

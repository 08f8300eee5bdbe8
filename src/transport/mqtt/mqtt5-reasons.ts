// MQTT 5 answers of the embedded broker: the reason codes it sends [MQTT-2.4] and the packets that
// carry them. MQTT 3.1.1 clients never see these (they are closed instead, see mqtt-acl.ts).
import type { Client } from 'aedes';
import mqttPacket from 'mqtt-packet';
import type { PublishRefusalKind } from './mqtt-acl.ts';

export const ReasonCode = {
  SUCCESS: 0x00,
  UNSPECIFIED_ERROR: 0x80,
  IMPLEMENTATION_SPECIFIC_ERROR: 0x83,
  NOT_AUTHORIZED: 0x87,
  PACKET_TOO_LARGE: 0x95,
  MESSAGE_RATE_TOO_HIGH: 0x96,
  QUOTA_EXCEEDED: 0x97,
} as const;

/**
 * Storage could not take a message. 0x88 (Server unavailable) is only a CONNACK/DISCONNECT code, and
 * a PUBACK must use one of its own [MQTT-3.4.2-1]: 0x80 with the reason string, and the connection
 * stays open so the device publishes again (3.1.1 devices are closed instead, and resend on reconnect).
 */
export const STORAGE_UNAVAILABLE = { code: ReasonCode.UNSPECIFIED_ERROR, reason: 'storage unavailable: publish again later' };

export function isMqtt5(client: Client): boolean {
  return client.version === 5;
}

/** The PUBACK code of a refused QoS 1 PUBLISH. Rate: the PUBACK has no 0x96, its code for it is quota (0x97). */
export function pubackCode(kind: PublishRefusalKind): number {
  return kind === 'rate' ? ReasonCode.QUOTA_EXCEEDED : ReasonCode.NOT_AUTHORIZED;
}

/**
 * What a refused QoS 0 PUBLISH (no PUBACK to carry a code) or an oversized one gets: a DISCONNECT
 * with its reason, or null when the message is just dropped (not authorized: as aedes does).
 */
export function disconnectCode(kind: PublishRefusalKind): number | null {
  if (kind === 'too_large') return ReasonCode.PACKET_TOO_LARGE;
  if (kind === 'rate') return ReasonCode.MESSAGE_RATE_TOO_HIGH;
  return null;
}

/**
 * The PUBACK of a refused reply to a command (MQTT 5 request/response): 0x87 when its Correlation
 * Data names no command of this device (another device's, say), 0x80 when the command is already
 * closed, 0x83 (valid PUBLISH the server will not take) when the reply itself is malformed.
 */
export function commandReplyCode(errorCode: string | undefined): number {
  if (errorCode === 'COMMAND_NOT_FOUND') return ReasonCode.NOT_AUTHORIZED;
  if (errorCode === 'COMMAND_CLOSED') return ReasonCode.UNSPECIFIED_ERROR;
  return ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR;
}

/** A PUBACK with a failure code and, unless the client asked for none [MQTT-3.1.2-29], a reason string. */
export function failedPuback(client: Client, messageId: number, reasonCode: number, reasonString: string): Buffer {
  const problemInfo = (client as unknown as { _requestProblemInformation?: boolean })._requestProblemInformation !== false;
  return mqttPacket.generate({ cmd: 'puback', messageId, reasonCode, ...(problemInfo ? { properties: { reasonString } } : {}) }, { protocolVersion: 5 });
}

const disconnecting = new WeakSet<Client>();

/**
 * Sends DISCONNECT with `reasonCode` and closes the connection once the packet is handed to the
 * socket. aedes' own client.disconnect closes on the next turn, whether or not the DISCONNECT was
 * written yet, and the client then sometimes saw the connection close without it. Idempotent.
 */
export function disconnectWithReason(client: Client, reasonCode: number): void {
  if (client.closed || disconnecting.has(client)) return;
  disconnecting.add(client);
  client.conn.write(mqttPacket.generate({ cmd: 'disconnect', reasonCode }, { protocolVersion: 5 }), () => client.close());
}

// A cap on QoS 2 messages a connection leaves awaiting PUBREL. aedes stores each incoming QoS 2
// PUBLISH until its PUBREL; aedes 1.1.3/1.2 refuse a client past 1,000 of them, the 2.0.0-beta.1 in
// use predates that, so a client could fill the persistence with publishes it never releases.
// Past the cap the connection is closed (MQTT 5: DISCONNECT 0x93, Receive Maximum exceeded).
import type { Client } from 'aedes';
import type { PacketSource } from './mqtt-null-prototype.ts';
import { disconnectWithReason, isMqtt5 } from './mqtt5-reasons.ts';

export const MAX_INBOUND_QOS2 = 1000;
const RECEIVE_MAXIMUM_EXCEEDED = 0x93;

interface Qos2Packet {
  cmd: string;
  qos?: number;
  messageId?: number;
}

/** For each connection, right after aedes made its Client and before any packet is read. */
export function capInboundQos2(client: Client, parser: PacketSource, max = MAX_INBOUND_QOS2): void {
  let awaiting: Set<number> | undefined;
  parser.prependListener('packet', (raw) => {
    const packet = raw as Qos2Packet;
    if (packet.cmd === 'pubrel' && packet.messageId !== undefined) awaiting?.delete(packet.messageId);
    if (packet.cmd !== 'publish' || packet.qos !== 2 || packet.messageId === undefined) return;
    awaiting ??= new Set();
    awaiting.add(packet.messageId);
    if (awaiting.size <= max) return;
    if (isMqtt5(client)) disconnectWithReason(client, RECEIVE_MAXIMUM_EXCEEDED);
    else client.conn.destroy();
  });
}

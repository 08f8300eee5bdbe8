// Where the embedded broker listens: TCP (MQTT_PORT), optional TLS (MQTT_TLS_PORT) and MQTT over
// WebSocket at /mqtt on the HTTP server.
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Aedes, Client } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { capInboundQos2 } from './mqtt-inbound-qos2.ts';
import { type PacketSource, nullPrototypeClient } from './mqtt-null-prototype.ts';
import { advertiseSharedSubscriptions, renameSharedFilters } from './mqtt-shared-subscriptions.ts';
import { ReasonCode, disconnectWithReason } from './mqtt5-reasons.ts';

/** Room for the fixed header, topic and properties around the largest accepted payload. */
const PACKET_OVERHEAD = 65_536 + 16;

interface PacketParser extends PacketSource {
  packet: { length: number };
  /** The parser's state machine: method names it calls in turn (mqtt-packet 9). */
  _states: string[];
  _parseLength(): boolean;
  _emitError(err: Error): void;
  client: { broker: Aedes };
}

const BOUNDED_PARSE_LENGTH = '_fluxgateParseLengthBounded';
/** Largest packet each broker accepts; read by the parser's bounded length state. */
const packetLimits = new WeakMap<Aedes, number>();

/** The largest packet accepted, in bytes, around the largest accepted payload (MQTT 5 Maximum Packet Size). */
export function packetSizeLimit(maxPayloadBytes: number): number {
  return maxPayloadBytes + PACKET_OVERHEAD;
}

function parseLengthBounded(this: PacketParser): boolean {
  if (!this._parseLength()) return false;
  const max = packetLimits.get(this.client.broker) ?? Infinity;
  if (this.packet.length <= max) return true;
  const client = this.client as unknown as Client & { _rejectingPacketTooLarge: boolean; connackSent?: boolean };
  // MQTT 5: the client is told why (DISCONNECT 0x95, packet too large) [MQTT-3.2.2-15], as soon as
  // it has its CONNACK (aedes marks it connected only after the session's queue was sent). The flag
  // stops aedes reading on and sending its own DISCONNECT, which closes before it is written.
  if (client.version === 5 && client.connackSent === true) {
    client._rejectingPacketTooLarge = true;
    disconnectWithReason(client, ReasonCode.PACKET_TOO_LARGE);
    return false;
  }
  this._emitError(new Error(`packet of ${this.packet.length} bytes is over the limit of ${max} (MQTT_MAX_PAYLOAD_BYTES)`));
  return false;
}

/**
 * Hands a connection to aedes, refusing any packet whose remaining length announces more than
 * `maxPayloadBytes` (+ header room) before its body is read: mqtt-packet would otherwise buffer
 * up to 256 MB per connection for a client that claims a huge packet and trickles it in.
 * The check is one method on the parser class, installed once, and the connection's parser is
 * pointed at it through its own state list: nothing is allocated per connection.
 */
export function handleConnection(aedes: Aedes, conn: Duplex, maxPayloadBytes: number, req?: IncomingMessage): void {
  packetLimits.set(aedes, packetSizeLimit(maxPayloadBytes));
  const aedesClient = aedes.handle(conn, req);
  const client = aedesClient as unknown as { _parser: PacketParser };
  const parser = client._parser;
  nullPrototypeClient(aedesClient, parser);
  capInboundQos2(aedesClient, parser);
  renameSharedFilters(aedesClient, parser as unknown as Parameters<typeof renameSharedFilters>[1]);
  advertiseSharedSubscriptions(conn);
  const states = parser._states;
  const at = states.indexOf('_parseLength');
  if (at === -1 || parser.client !== (client as unknown)) throw new Error('mqtt-packet parser changed: cannot bound the packet length');
  const proto = Object.getPrototypeOf(parser) as PacketParser;
  if (!Object.hasOwn(proto, BOUNDED_PARSE_LENGTH)) Object.defineProperty(proto, BOUNDED_PARSE_LENGTH, { value: parseLengthBounded });
  states[at] = BOUNDED_PARSE_LENGTH;
}

export function tcpServer(aedes: Aedes, maxPayloadBytes: number): net.Server {
  return net.createServer((socket) => handleConnection(aedes, socket, maxPayloadBytes));
}

export function tlsServer(aedes: Aedes, cert: Buffer, key: Buffer, maxPayloadBytes: number): tls.Server {
  return tls.createServer({ cert, key }, (socket) => handleConnection(aedes, socket, maxPayloadBytes));
}

/**
 * Serves MQTT over WebSocket at `path` on an existing HTTP server; returns a closer. Other upgrade
 * listeners (the API's /api/v1/stream via @fastify/websocket, which answers every upgrade through
 * its router and would refuse /mqtt) only see the upgrades that are not for `path`.
 */
export function attachWebSocket(aedes: Aedes, server: HttpServer, maxPayloadBytes: number, path = '/mqtt'): () => Promise<void> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: packetSizeLimit(maxPayloadBytes) });
  type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  const others = server.listeners('upgrade') as UpgradeListener[];
  server.removeAllListeners('upgrade');
  const onUpgrade: UpgradeListener = (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== path) {
      for (const listener of others) listener.call(server, req, socket, head);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => stream.destroy());
      handleConnection(aedes, stream, maxPayloadBytes, req);
    });
  };
  server.on('upgrade', onUpgrade);
  return async () => {
    server.off('upgrade', onUpgrade);
    for (const listener of others) server.on('upgrade', listener);
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  };
}

export function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

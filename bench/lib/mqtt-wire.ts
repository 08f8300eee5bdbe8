// A lean MQTT 3.1.1 or 5 client for load generation: a socket, mqtt-packet to encode and parse, and
// nothing else. mqtt.js keeps an outgoing store, timers and callbacks per message, which made
// the bench's publishers (not the brokers under test) the limit near 8,000 msg/s on this machine.
import net from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

export interface WireCredentials {
  clientId: string;
  username?: string;
  password?: string;
  /** 4 (MQTT 3.1.1, the default) or 5. */
  protocolVersion?: 4 | 5;
}

export class WireClient {
  private readonly parser;
  private nextId = 0;
  /** The start of a packet whose bytes have not all arrived yet. */
  private partial: Buffer | undefined;
  /** Called with every packet the broker sends after CONNACK. */
  onPacket: (packet: Packet) => void = () => {};

  private constructor(
    readonly socket: net.Socket,
    readonly protocolVersion: 4 | 5,
  ) {
    this.parser = mqttPacket.parser({ protocolVersion });
  }

  static async connect(url: string, creds: WireCredentials): Promise<WireClient> {
    const { hostname, port } = new URL(url);
    const socket = net.connect(Number(port), hostname);
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new WireClient(socket, creds.protocolVersion ?? 4);
    await client.handshake(creds);
    return client;
  }

  private handshake(creds: WireCredentials): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.once('close', () => reject(new Error(`${creds.clientId}: connection closed`)));
      this.parser.on('error', (err: Error) => this.socket.destroy(err));
      this.socket.on('data', (chunk: Buffer) => this.read(chunk));
      this.onPacket = (p) => {
        if (p.cmd !== 'connack') return;
        const code = (p as Packet & { returnCode?: number; reasonCode?: number }).returnCode ?? (p as Packet & { reasonCode?: number }).reasonCode ?? 0;
        if (code === 0) resolve();
        else reject(new Error(`${creds.clientId}: CONNACK ${code}`));
      };
      this.parser.on('packet', (p: Packet) => this.onPacket(p));
      this.send({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: this.protocolVersion,
        clean: true,
        clientId: creds.clientId,
        keepalive: 60,
        ...(creds.username !== undefined ? { username: creds.username } : {}),
        ...(creds.password !== undefined ? { password: Buffer.from(creds.password) } : {}),
      });
    });
  }

  /**
   * PUBACKs (the bulk of what a publisher reads; some brokers send each in a segment of its own)
   * are taken straight off the bytes; anything else goes through mqtt-packet's parser.
   */
  private read(chunk: Buffer): void {
    const bytes = this.partial ? Buffer.concat([this.partial, chunk]) : chunk;
    this.partial = undefined;
    let at = 0;
    while (at < bytes.length) {
      if (bytes[at] === 0x40 && at + 4 <= bytes.length && bytes[at + 1] === 2) {
        this.onPacket({ cmd: 'puback', messageId: (bytes[at + 2]! << 8) | bytes[at + 3]! });
        at += 4;
        continue;
      }
      const end = packetEnd(bytes, at);
      if (end === undefined) {
        this.partial = bytes.subarray(at);
        return;
      }
      this.parser.parse(bytes.subarray(at, end));
      at = end;
    }
  }

  send(packet: Packet): void {
    this.socket.write(mqttPacket.generate(packet, { protocolVersion: this.protocolVersion }));
  }

  /** Sends PUBLISH (encoded here: mqtt-packet's generic encoder cost the publishers more than the rest) and returns its packet id (0 for QoS 0). */
  publish(topic: string, payload: string, qos: 0 | 1): number {
    const messageId = qos === 0 ? 0 : (this.nextId = (this.nextId % 65_535) + 1);
    const topicLength = Buffer.byteLength(topic);
    // MQTT 5 adds a properties length after the packet id: 0, no properties.
    const properties = this.protocolVersion === 5 ? 1 : 0;
    const remaining = 2 + topicLength + (qos ? 2 : 0) + properties + Buffer.byteLength(payload);
    const lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4;
    const out = Buffer.allocUnsafe(1 + lengthBytes + remaining);
    out[0] = 0x30 | (qos << 1);
    let at = 1;
    for (let rest = remaining; ; ) {
      const byte = rest % 128;
      rest = Math.floor(rest / 128);
      out[at++] = rest > 0 ? byte | 0x80 : byte;
      if (rest === 0) break;
    }
    out.writeUInt16BE(topicLength, at);
    at += 2 + out.write(topic, at + 2);
    if (qos) at = out.writeUInt16BE(messageId, at);
    if (properties) out[at++] = 0;
    out.write(payload, at);
    this.socket.write(out);
    return messageId;
  }

  async subscribe(filter: string, qos: 0 | 1): Promise<void> {
    const messageId = (this.nextId = (this.nextId % 65_535) + 1);
    const acked = new Promise<void>((resolve, reject) => {
      const before = this.onPacket;
      this.onPacket = (p) => {
        if (p.cmd !== 'suback') return before(p);
        this.onPacket = before;
        const granted = (p as Packet & { granted: number[] }).granted[0]!;
        if (granted >= 0x80) reject(new Error(`subscription to ${filter} refused`));
        else resolve();
      };
    });
    this.send({ cmd: 'subscribe', messageId, subscriptions: [{ topic: filter, qos }] });
    await acked;
  }

  /** Sends DISCONNECT and waits for the socket to close. */
  async end(): Promise<void> {
    if (this.socket.destroyed) return;
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    this.socket.end(mqttPacket.generate({ cmd: 'disconnect' }, { protocolVersion: this.protocolVersion }));
    await closed;
  }
}

/** Where the packet starting at `at` ends, or undefined while its bytes are incomplete. */
function packetEnd(bytes: Buffer, at: number): number | undefined {
  let length = 0;
  let multiplier = 1;
  for (let i = at + 1; i < at + 5; i++) {
    if (i >= bytes.length) return undefined;
    const byte = bytes[i]!;
    length += (byte & 0x7f) * multiplier;
    multiplier *= 128;
    if ((byte & 0x80) === 0) return i + 1 + length <= bytes.length ? i + 1 + length : undefined;
  }
  throw new Error('malformed remaining length');
}

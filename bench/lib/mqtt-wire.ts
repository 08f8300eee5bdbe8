// A lean MQTT 3.1.1 client for load generation: a socket, mqtt-packet to encode and parse, and
// nothing else. mqtt.js keeps an outgoing store, timers and callbacks per message, which made
// the bench's publishers (not the brokers under test) the limit near 8,000 msg/s on this machine.
import net from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

export interface WireCredentials {
  clientId: string;
  username?: string;
  password?: string;
}

export class WireClient {
  private readonly parser = mqttPacket.parser({ protocolVersion: 4 });
  private nextId = 0;
  /** Called with every packet the broker sends after CONNACK. */
  onPacket: (packet: Packet) => void = () => {};

  private constructor(readonly socket: net.Socket) {}

  static async connect(url: string, creds: WireCredentials): Promise<WireClient> {
    const { hostname, port } = new URL(url);
    const socket = net.connect(Number(port), hostname);
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new WireClient(socket);
    await client.handshake(creds);
    return client;
  }

  private handshake(creds: WireCredentials): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.once('close', () => reject(new Error(`${creds.clientId}: connection closed`)));
      this.parser.on('error', (err: Error) => this.socket.destroy(err));
      this.socket.on('data', (chunk: Buffer) => this.parser.parse(chunk));
      this.onPacket = (p) => {
        if (p.cmd !== 'connack') return;
        const code = (p as Packet & { returnCode: number }).returnCode;
        if (code === 0) resolve();
        else reject(new Error(`${creds.clientId}: CONNACK ${code}`));
      };
      this.parser.on('packet', (p: Packet) => this.onPacket(p));
      this.send({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        clientId: creds.clientId,
        keepalive: 60,
        ...(creds.username !== undefined ? { username: creds.username } : {}),
        ...(creds.password !== undefined ? { password: Buffer.from(creds.password) } : {}),
      });
    });
  }

  send(packet: Packet): void {
    this.socket.write(mqttPacket.generate(packet));
  }

  /** Sends PUBLISH and returns its packet id (0 for QoS 0). */
  publish(topic: string, payload: string, qos: 0 | 1): number {
    const messageId = qos === 0 ? 0 : (this.nextId = (this.nextId % 65_535) + 1);
    this.send({ cmd: 'publish', topic, payload, qos, retain: false, dup: false, ...(qos ? { messageId } : {}) });
    return messageId;
  }

  async subscribe(filter: string, qos: 0 | 1): Promise<void> {
    const messageId = (this.nextId = (this.nextId % 65_535) + 1);
    const acked = new Promise<void>((resolve, reject) => {
      const before = this.onPacket;
      this.onPacket = (p) => {
        if (p.cmd !== 'suback') return before(p);
        this.onPacket = before;
        const granted = (p as Packet & { granted: number[] }).granted[0];
        if (granted === 0x80) reject(new Error(`subscription to ${filter} refused`));
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
    this.socket.end(mqttPacket.generate({ cmd: 'disconnect' }));
    await closed;
  }
}

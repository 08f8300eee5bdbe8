// A raw TCP MQTT peer for tests that must send what no well-behaved client library would: broken
// headers, packets out of order, or nothing at all. It records every packet the broker sends back.
import net from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

export class RawMqtt {
  readonly packets: Packet[] = [];
  readonly closed: Promise<void>;
  private readonly parser: ReturnType<typeof mqttPacket.parser>;
  private waiters: Array<() => void> = [];

  private constructor(
    readonly socket: net.Socket,
    /** 4 (MQTT 3.1.1) or 5: what CONNECT announces and how packets are encoded and parsed. */
    readonly protocolVersion: 4 | 5,
  ) {
    this.parser = mqttPacket.parser({ protocolVersion });
    this.parser.on('packet', (p: Packet) => {
      this.packets.push(p);
      for (const w of this.waiters.splice(0)) w();
    });
    this.parser.on('error', () => socket.destroy());
    socket.on('data', (chunk) => this.parser.parse(chunk));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static open(port: number, protocolVersion: 4 | 5 = 4): Promise<RawMqtt> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new RawMqtt(socket, protocolVersion)));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.socket.destroyed || this.socket.readyState === 'closed';
  }

  send(bytes: Buffer | Packet): void {
    this.socket.write(Buffer.isBuffer(bytes) ? bytes : mqttPacket.generate(bytes, { protocolVersion: this.protocolVersion }));
  }

  connect(
    options: {
      clientId?: string;
      username?: string;
      password?: string;
      keepalive?: number;
      clean?: boolean;
      properties?: Record<string, unknown>;
      will?: { topic: string; payload: Buffer; qos: 0 | 1 | 2; retain: boolean; properties?: Record<string, unknown> };
    } = {},
  ): void {
    this.send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: this.protocolVersion,
      ...(options.properties ? { properties: options.properties } : {}),
      ...(options.will ? { will: options.will } : {}),
      clean: options.clean ?? true,
      clientId: options.clientId ?? `raw-${Math.random().toString(36).slice(2, 10)}`,
      keepalive: options.keepalive ?? 60,
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: Buffer.from(options.password) } : {}),
    });
  }

  /** Resolves with the first received packet of kind `cmd` (already received ones count). */
  next(cmd: Packet['cmd']): Promise<Packet> {
    return this.until((p) => p.cmd === cmd, cmd);
  }

  /** Resolves with the first received packet that satisfies `match` (already received ones count). */
  async until(match: (p: Packet) => boolean, what = 'the expected packet'): Promise<Packet> {
    for (;;) {
      const found = this.packets.find(match);
      if (found) return found;
      if (this.isClosed) throw new Error(`connection closed before ${what} arrived`);
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), this.closed]);
    }
  }

  /** Sends CONNECT with `options` and resolves with the CONNACK return code (MQTT 5: reason code). */
  async handshake(options: Parameters<RawMqtt['connect']>[0] = {}): Promise<number> {
    this.connect(options);
    const ack = (await this.next('connack')) as Packet & { returnCode?: number; reasonCode?: number };
    return (this.protocolVersion === 5 ? ack.reasonCode : ack.returnCode) ?? -1;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

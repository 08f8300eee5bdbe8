// Child process of bench/connections.bench.ts: thousands of device MQTT connections in one process,
// written on mqtt-packet directly (an mqtt.js client per device would cost the load generator more
// memory and CPU than the server it measures). Each device publishes one QoS 1 point every
// INTERVAL and keeps every message until its PUBACK; unacknowledged messages are sent again (DUP)
// after a reconnect, as a real device would. Driven over IPC: start, status, storm, stop.
import net from 'node:net';
import mqttPacket from 'mqtt-packet';

export interface ClientsJob {
  host: string;
  port: number;
  devices: Array<{ id: string; key?: string }>;
  intervalMs: number;
  /** CONNECTs in flight at once while connecting the first time (a storm reconnects all at once). */
  connectConcurrency: number;
  /** First timestamp of this process's messages; each device counts up by 1 ms from here. */
  baseTs: number;
  /** Each device subscribes (QoS 1) to its commands and desired-state topics after every CONNACK, as firmware does. */
  subscribe?: boolean;
}

export type ClientsCommand = { type: 'start'; job: ClientsJob } | { type: 'status' } | { type: 'storm' } | { type: 'stop'; drainMs: number };

export interface ClientsStatus {
  type: 'status';
  connected: number;
  published: number;
  acked: number;
  inflight: number;
  refused: number;
  unexpectedCloses: number;
  connectErrors: number;
  errorCodes: Record<string, number>;
  connackTimeouts: number;
  /** publish → PUBACK, ms, a sample (at most the last 20,000) */
  latencies: number[];
  rssBytes: number;
}

export interface ClientsFinal {
  type: 'final';
  /** Per device: timestamps whose PUBACK arrived. */
  acked: Record<string, number[]>;
  unacked: number;
}

const generate = (p: object) => mqttPacket.generate(p as mqttPacket.Packet);

class Device {
  socket?: net.Socket;
  connected = false;
  private nextId = 1;
  private nextTs: number;
  /** messageId → [timestamp, sentAt] of messages waiting for their PUBACK on this connection */
  private readonly inflight = new Map<number, [number, number]>();
  /** timestamps to send again after a reconnect */
  private pending: number[] = [];
  readonly acked: number[] = [];
  wanted = true;

  constructor(
    readonly id: string,
    private readonly key: string | undefined,
    baseTs: number,
    private readonly owner: Clients,
  ) {
    this.nextTs = baseTs;
  }

  get unacked(): number {
    return this.inflight.size + this.pending.length;
  }

  connect(): Promise<void> {
    return new Promise((resolve) => {
      const socket = net.connect(this.owner.job.port, this.owner.job.host);
      this.socket = socket;
      socket.setNoDelay(true);
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      let settled = false;
      // No CONNACK in 30 s (mqtt.js's default): give up on this connection and try again. A handshake
      // completed while the server's accept queue overflowed looks open here but exists nowhere else.
      const connackTimer = setTimeout(() => {
        this.owner.connackTimeouts++;
        socket.destroy();
      }, 30_000);
      const settle = () => {
        clearTimeout(connackTimer);
        if (!settled) {
          settled = true;
          resolve();
        }
      };
      parser.on('packet', (p) => {
        if (p.cmd === 'connack') {
          settle();
          if (p.returnCode !== 0) {
            this.owner.refused++;
            socket.destroy();
            return;
          }
          this.connected = true;
          this.owner.connected++;
          if (this.owner.job.subscribe) {
            socket.write(
              generate({
                cmd: 'subscribe',
                messageId: 65_535,
                subscriptions: [
                  { topic: `devices/${this.id}/commands`, qos: 1 },
                  { topic: `devices/${this.id}/state/desired`, qos: 1 },
                ],
              }),
            );
          }
          const again = this.pending;
          this.pending = [];
          for (const ts of again) this.send(ts, true);
        } else if (p.cmd === 'puback') {
          const entry = this.inflight.get(p.messageId!);
          if (entry) {
            this.inflight.delete(p.messageId!);
            this.acked.push(entry[0]);
            this.owner.ackedCount++;
            this.owner.latency(Date.now() - entry[1]);
          }
        }
      });
      parser.on('error', () => socket.destroy());
      socket.on('data', (d) => parser.parse(d));
      socket.on('connect', () => {
        socket.write(
          generate({
            cmd: 'connect',
            protocolId: 'MQTT',
            protocolVersion: 4,
            clean: true,
            clientId: this.id,
            keepalive: 120,
            ...(this.key ? { username: this.id, password: Buffer.from(this.key) } : {}),
          }),
        );
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        if (this.connected) return;
        this.owner.connectErrors++;
        const code = err.code ?? 'other';
        this.owner.errorCodes[code] = (this.owner.errorCodes[code] ?? 0) + 1;
      });
      socket.on('close', () => {
        settle();
        if (this.socket !== socket) return;
        const wasConnected = this.connected;
        this.forget();
        if (!this.wanted) return;
        if (wasConnected) this.owner.unexpectedCloses++;
        // A device whose connection failed tries again after a second or two, as firmware does.
        setTimeout(() => void (this.wanted && !this.socket && this.connect()), 1000 + Math.random() * 1000);
      });
    });
  }

  publishNext(): void {
    const ts = this.nextTs++;
    if (this.connected) this.send(ts, false);
    else this.pending.push(ts);
    this.owner.published++;
  }

  private send(ts: number, dup: boolean): void {
    const messageId = this.nextId;
    this.nextId = this.nextId >= 65_535 ? 1 : this.nextId + 1;
    this.inflight.set(messageId, [ts, Date.now()]);
    this.socket!.write(
      generate({
        cmd: 'publish',
        topic: `devices/${this.id}/data`,
        payload: `{"timestamp":${ts},"v":${ts % 1000}}`,
        qos: 1,
        dup,
        retain: false,
        messageId,
      }),
    );
  }

  /** Forgets the current connection; messages waiting for a PUBACK are sent again on the next one. */
  private forget(): void {
    if (this.connected) this.owner.connected--;
    this.connected = false;
    for (const [ts] of this.inflight.values()) this.pending.push(ts);
    this.inflight.clear();
    this.socket = undefined;
  }

  /** Drops the connection at once (no DISCONNECT), the way a network outage does. */
  drop(): void {
    const socket = this.socket;
    if (!socket) return;
    this.forget();
    socket.destroy();
  }

  end(): void {
    this.wanted = false;
    if (this.socket && this.connected) this.socket.end(generate({ cmd: 'disconnect' }));
    else this.socket?.destroy();
  }
}

class Clients {
  devices: Device[] = [];
  connected = 0;
  published = 0;
  ackedCount = 0;
  refused = 0;
  unexpectedCloses = 0;
  connectErrors = 0;
  connackTimeouts = 0;
  readonly errorCodes: Record<string, number> = {};
  private publishing = false;
  private tick?: NodeJS.Timeout;
  private readonly samples: number[] = [];

  constructor(readonly job: ClientsJob) {
    this.devices = job.devices.map((d) => new Device(d.id, d.key, job.baseTs, this));
  }

  latency(ms: number): void {
    if (this.samples.length >= 20_000) this.samples.shift();
    this.samples.push(ms);
  }

  async connectAll(): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < this.devices.length) await this.devices[next++]!.connect();
    };
    await Promise.all(Array.from({ length: this.job.connectConcurrency }, worker));
  }

  /** Spreads the devices evenly over the interval: every 100 ms, the devices of that slot publish. */
  startPublishing(): void {
    this.publishing = true;
    const slots = Math.max(1, Math.round(this.job.intervalMs / 100));
    let slot = 0;
    this.tick = setInterval(() => {
      if (!this.publishing) return;
      for (let i = slot; i < this.devices.length; i += slots) this.devices[i]!.publishNext();
      slot = (slot + 1) % slots;
    }, 100);
  }

  /** Every connection drops, and every device reconnects at once; the close handler retries those turned away. */
  storm(): void {
    for (const d of this.devices) d.drop();
    for (const d of this.devices) if (!d.socket) void d.connect();
  }

  async stop(drainMs: number): Promise<ClientsFinal> {
    this.publishing = false;
    clearInterval(this.tick);
    const until = Date.now() + drainMs;
    while (Date.now() < until && this.devices.some((d) => d.unacked > 0)) await new Promise((r) => setTimeout(r, 200));
    const final: ClientsFinal = { type: 'final', acked: {}, unacked: 0 };
    for (const d of this.devices) {
      final.acked[d.id] = d.acked;
      final.unacked += d.unacked;
      d.end();
    }
    return final;
  }

  status(): ClientsStatus {
    return {
      type: 'status',
      connected: this.connected,
      published: this.published,
      acked: this.ackedCount,
      inflight: this.devices.reduce((n, d) => n + d.unacked, 0),
      refused: this.refused,
      unexpectedCloses: this.unexpectedCloses,
      connectErrors: this.connectErrors,
      errorCodes: this.errorCodes,
      connackTimeouts: this.connackTimeouts,
      latencies: this.samples.splice(0),
      rssBytes: process.memoryUsage().rss,
    };
  }
}

let clients: Clients | undefined;
process.on('message', (m: ClientsCommand) => {
  if (m.type === 'start') {
    clients = new Clients(m.job);
    void clients.connectAll().then(() => {
      clients!.startPublishing();
      process.send!({ type: 'started' });
    });
  } else if (m.type === 'status') process.send!(clients!.status());
  else if (m.type === 'storm') clients!.storm();
  else if (m.type === 'stop') void clients!.stop(m.drainMs).then((f) => process.send!(f, () => setTimeout(() => process.exit(0), 500)));
});
process.on('disconnect', () => process.exit(0));

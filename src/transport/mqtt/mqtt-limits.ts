// Per-node MQTT limits of the embedded broker: how many clients may be connected at once, how many
// topic filters one connection may hold, and how many PUBLISH messages a device may send (a token
// bucket per device id, so reconnecting does not refill it). Refusals are counted by the caller.
import type { Client } from 'aedes';

export interface MqttLimitOptions {
  maxConnections: number;
  maxSubscriptions: number;
  /** PUBLISH messages per device per window; 0 turns the limit off. */
  ratePoints: number;
  rateWindowSeconds: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class MqttLimits {
  /** Connections of the admitted clients (a connection's 'close' listener is shared, see `leave`). */
  private readonly admitted = new Set<object>();
  /** One listener for every admitted connection: emitters call it with the connection as `this`. */
  private readonly leave: (this: object) => void;
  private readonly filters = new WeakMap<Client, Set<string>>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: MqttLimitOptions,
    private readonly now: () => number = Date.now,
  ) {
    const admitted = this.admitted;
    this.leave = function (this: object) {
      admitted.delete(this);
    };
    // Buckets that refilled are the same as no bucket: drop them so idle devices cost nothing.
    if (options.ratePoints > 0) {
      this.sweeper = setInterval(() => this.sweep(), Math.max(1000, options.rateWindowSeconds * 1000));
      this.sweeper.unref();
    }
  }

  get connections(): number {
    return this.admitted.size;
  }

  /** Admits an authenticated client unless the node is full; it leaves when its connection closes. */
  admit(client: Client): boolean {
    const conn = client.conn;
    // Closed while its CONNECT was being checked: 'close' already fired, so counting it would
    // hold a place forever; aedes drops the client anyway.
    if (this.admitted.has(conn) || conn.destroyed) return true;
    if (this.admitted.size >= this.options.maxConnections) return false;
    this.admitted.add(conn);
    conn.on('close', this.leave);
    return true;
  }

  /** Whether `client` may add `filter` (re-subscribing to a filter it holds is always fine). */
  maySubscribe(client: Client, filter: string): boolean {
    let held = this.filters.get(client);
    if (!held) {
      held = new Set();
      this.filters.set(client, held);
    }
    if (held.has(filter)) return true;
    if (held.size >= this.options.maxSubscriptions) return false;
    held.add(filter);
    return true;
  }

  unsubscribed(client: Client, filters: string[]): void {
    const held = this.filters.get(client);
    for (const f of filters) held?.delete(f);
  }

  /** Takes one message from `deviceId`'s allowance; false when it has none left. */
  takeMessage(deviceId: string): boolean {
    const { ratePoints, rateWindowSeconds } = this.options;
    if (ratePoints <= 0) return true;
    const now = this.now();
    const bucket = this.buckets.get(deviceId) ?? { tokens: ratePoints, at: now };
    bucket.tokens = Math.min(ratePoints, bucket.tokens + ((now - bucket.at) * ratePoints) / (rateWindowSeconds * 1000));
    bucket.at = now;
    this.buckets.set(deviceId, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  private sweep(): void {
    const { ratePoints, rateWindowSeconds } = this.options;
    const full = rateWindowSeconds * 1000;
    const now = this.now();
    for (const [id, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * ratePoints) / full >= ratePoints) this.buckets.delete(id);
    }
  }

  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }
}

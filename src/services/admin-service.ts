// The admin overview (seed 003): users, devices by status and type, points stored, the ingest rate
// of this node over the last minute, and open connections per transport.
import type { Storage, StorageStats } from '../storage/storage.ts';
import type { EventBus } from './event-bus.ts';

const WINDOW_SECONDS = 60;

/** Points stored per second, counted in one-second slots over the last minute. */
export class IngestRate {
  private readonly slots = new Array<number>(WINDOW_SECONDS).fill(0);
  private slotSecond = Math.floor(Date.now() / 1000);

  constructor(bus: EventBus) {
    bus.on('points.stored', 'admin-ingest-rate', ({ points }) => this.add(points.length));
  }

  private advance(nowSecond: number): void {
    const steps = Math.min(WINDOW_SECONDS, nowSecond - this.slotSecond);
    for (let i = 1; i <= steps; i++) this.slots[(this.slotSecond + i) % WINDOW_SECONDS] = 0;
    if (nowSecond > this.slotSecond) this.slotSecond = nowSecond;
  }

  add(points: number, now = Date.now()): void {
    const second = Math.floor(now / 1000);
    this.advance(second);
    this.slots[second % WINDOW_SECONDS]! += points;
  }

  perSecond(now = Date.now()): number {
    this.advance(Math.floor(now / 1000));
    return this.slots.reduce((a, b) => a + b, 0) / WINDOW_SECONDS;
  }
}

export interface AdminStats extends StorageStats {
  ingestPointsPerSecond: number;
  connections: Record<string, number>;
}

export class AdminService {
  private readonly connectionCounters = new Map<string, () => Promise<number> | number>();

  constructor(
    private readonly storage: Storage,
    private readonly rate: IngestRate,
  ) {}

  /** A transport (http, mqtt, websocket) tells how many connections it holds open. */
  registerConnections(transport: string, count: () => Promise<number> | number): void {
    this.connectionCounters.set(transport, count);
  }

  async stats(): Promise<AdminStats> {
    const stats = await this.storage.stats();
    const connections: Record<string, number> = {};
    for (const [name, count] of this.connectionCounters) connections[name] = await count();
    return { ...stats, ingestPointsPerSecond: Math.round(this.rate.perSecond() * 1000) / 1000, connections };
  }
}

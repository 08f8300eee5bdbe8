// The fleet runner: many simulated devices on one transport, each sending on its own schedule.
// One min-heap orders every device's next send and one timer serves it, so 10,000 devices cost one
// timer, not 10,000. Sends are not awaited by the scheduler; how late each send runs against its
// schedule is measured, which is how "falling behind" shows.
import { systemClock, type Clock } from './clock.ts';
import { SimulatedDevice, type Emission } from './device.ts';
import type { DeviceType } from './models/registry.ts';
import type { Knobs } from './profiles.ts';
import { ScheduleHeap } from './schedule-heap.ts';
import { emptyCounters, type FleetCounters } from './stats.ts';
import type { DeviceCredentials, DeviceLink, Transport } from './links/link.ts';
import { SendError } from './links/link.ts';

export interface FleetDevice {
  credentials: DeviceCredentials & { type: DeviceType };
  /** Per-device knobs; the fleet's when absent. */
  knobs?: Knobs;
}

export interface FleetOptions {
  devices: readonly FleetDevice[];
  knobs: Knobs;
  transport: Transport;
  seed?: number;
  clock?: Clock;
  /** Simulated start time (epoch ms); now when absent. */
  simStart?: number;
  /** Devices connecting at once. */
  connectConcurrency?: number;
  /** Sends awaiting an answer before further slots count as failed (back-pressure). */
  maxInFlight?: number;
  /** Called for every error, with the device id when known. */
  onError?: (err: Error, deviceId?: string) => void;
}

interface Entry {
  dev: SimulatedDevice;
  link: DeviceLink;
  grid: number;
  online: boolean;
}

export interface StartResult {
  connected: number;
  failed: Array<{ id: string; error: string }>;
}

export class Fleet {
  readonly counters: FleetCounters = emptyCounters();
  online = 0;
  inFlight = 0;
  startedAt: number | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly heap = new ScheduleHeap<Entry>();
  private readonly clock: Clock;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private readonly reconnects = new Set<NodeJS.Timeout>();
  private running = false;

  constructor(private readonly options: FleetOptions) {
    this.clock = options.clock ?? systemClock;
    for (const spec of options.devices) {
      const { credentials } = spec;
      const dev = new SimulatedDevice({
        id: credentials.id,
        type: credentials.type,
        knobs: spec.knobs ?? options.knobs,
        clock: this.clock,
        seed: options.seed ?? 0,
        simStart: options.simStart,
      });
      const entry: Entry = { dev, link: undefined as unknown as DeviceLink, grid: 0, online: false };
      entry.link = options.transport.link(credentials, {
        onCommand: (cmd) => {
          this.counters.commands++;
          const result = dev.command(cmd.command, cmd.parameters);
          if (result.status === 'failed') this.counters.commandsFailed++;
          return result;
        },
        onDesired: (desired) => {
          this.counters.desiredUpdates++;
          dev.applyDesired(desired);
        },
        onConnection: (online) => {
          if (online === entry.online) return;
          entry.online = online;
          this.online += online ? 1 : -1;
        },
        onAckSent: (ok) => {
          if (ok) this.counters.acksSent++;
          else this.counters.errors++;
        },
        onError: (err) => this.error(err, credentials.id),
      });
      this.entries.set(credentials.id, entry);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get isRunning(): boolean {
    return this.running;
  }

  device(id: string): SimulatedDevice | undefined {
    return this.entries.get(id)?.dev;
  }

  deviceIds(): string[] {
    return [...this.entries.keys()];
  }

  isOnline(id: string): boolean {
    return this.entries.get(id)?.online ?? false;
  }

  /** Messages per second the schedule asks for. */
  scheduledRate(): number {
    let rate = 0;
    for (const e of this.entries.values()) rate += 1000 / e.dev.knobs.intervalMs;
    return rate;
  }

  /** Connects every device (a few at a time), then starts the schedule, spread evenly over one interval. */
  async start(): Promise<StartResult> {
    if (this.running) return { connected: this.online, failed: [] };
    this.running = true;
    const failed: StartResult['failed'] = [];
    const queue = [...this.entries.values()];
    const workers = Array.from({ length: Math.min(this.options.connectConcurrency ?? 100, queue.length) }, async () => {
      for (let e = queue.shift(); e; e = queue.shift()) {
        try {
          await e.link.connect();
        } catch (err) {
          failed.push({ id: e.dev.id, error: (err as Error).message });
          this.error(err as Error, e.dev.id);
        }
      }
    });
    await Promise.all(workers);
    if (!this.running) return { connected: this.online, failed };
    const now = this.clock.now();
    this.startedAt = now;
    const n = this.entries.size;
    let i = 0;
    for (const e of this.entries.values()) {
      e.grid = now + (e.dev.knobs.intervalMs * i++) / n;
      this.heap.push(e.grid, e);
    }
    this.arm();
    return { connected: this.online, failed };
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    for (const t of this.reconnects) clearTimeout(t);
    this.reconnects.clear();
    this.heap.clear();
    // Let sends already on the wire finish, so their outcome is counted.
    for (let waited = 0; this.inFlight > 0 && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    await Promise.all([...this.entries.values()].map((e) => e.link.close().catch(() => {})));
    await this.options.transport.close();
  }

  /** Sends one message for `id` now, outside the schedule (POST /devices/{id}/simulate). */
  async sendNow(id: string): Promise<Emission | undefined> {
    const e = this.entries.get(id);
    if (!e) return undefined;
    return this.fire(e, this.clock.now(), this.clock.now());
  }

  private arm(): void {
    if (!this.running) return;
    const next = this.heap.peekTime();
    if (next === undefined) return;
    const delay = next - this.clock.now();
    if (delay <= 0) this.immediate = setImmediate(this.pump);
    else this.timer = setTimeout(this.pump, Math.max(1, Math.ceil(delay)));
  }

  private readonly pump = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    const now = this.clock.now();
    // A bounded batch per turn keeps the event loop free for acks and commands.
    for (let budget = 2000; budget > 0; budget--) {
      const top = this.heap.peekTime();
      if (top === undefined || top > now) break;
      const { time, item } = this.heap.pop()!;
      void this.fire(item, time, now);
      item.grid += item.dev.knobs.intervalMs;
      this.heap.push(item.grid + item.dev.jitter(), item);
    }
    this.arm();
  };

  private async fire(e: Entry, due: number, now: number): Promise<Emission> {
    const c = this.counters;
    c.scheduled++;
    const late = Math.max(0, now - due);
    c.lateMsSum += late;
    if (late > c.lateMsMax) c.lateMsMax = late;
    // The reading is taken at its slot time, so a fleet catching up still stamps distinct times.
    const emission = e.dev.next(due);
    switch (emission.kind) {
      case 'skipped':
        break;
      case 'offline': {
        c.offlineEvents++;
        e.link.dropConnection();
        const t = setTimeout(() => {
          this.reconnects.delete(t);
          if (this.running) e.link.reconnect().catch((err: Error) => this.error(err, e.dev.id));
        }, e.dev.knobs.faults.offlineMs);
        this.reconnects.add(t);
        break;
      }
      case 'dropped':
        c.dropped++;
        break;
      case 'malformed':
        c.malformed++;
        await this.send(e, emission.payload);
        break;
      case 'message':
        if (emission.spiked) c.spikes++;
        await this.send(e, emission.payload);
        break;
    }
    return emission;
  }

  private async send(e: Entry, payload: string): Promise<void> {
    const c = this.counters;
    if (this.inFlight >= (this.options.maxInFlight ?? 20_000)) {
      c.failed++;
      return;
    }
    c.sent++;
    this.inFlight++;
    try {
      await e.link.send(payload);
      c.accepted++;
    } catch (err) {
      if (err instanceof SendError && err.rejected) c.rejected++;
      else {
        c.failed++;
        this.error(err as Error, e.dev.id);
      }
    } finally {
      this.inFlight--;
    }
  }

  private error(err: Error, deviceId?: string): void {
    this.counters.errors++;
    this.options.onError?.(err, deviceId);
  }
}

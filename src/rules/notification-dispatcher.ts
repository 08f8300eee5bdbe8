// Sends the outbox: on a timer (and right after new rows arrive) it claims due pending rows and
// sends them through their channel, a bounded number at once, off the ingest path. A failure is
// retried with exponential backoff (base, 2×base, 4×base…) until maxAttempts, then the row is dead
// (the admins' dead-letter list). Delivery is at least once: a row claimed by a node that dies is
// claimed again when its lease ends, and pending rows left at a stop are sent after the restart.
import { FluxgateError } from '../contract/errors.ts';
import { type OutboxRow, retryDelay } from '../domain/notification.ts';
import type { Storage } from '../storage/storage.ts';
import type { Channel } from './channels/channel.ts';

export interface DispatcherOptions {
  pollMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  /** Rows sent at once. */
  concurrency: number;
  /** How long a claimed row is left to its sender before another may claim it. */
  leaseMs: number;
  onError: (err: unknown, row: OutboxRow) => void;
  now?: () => number;
}

export class NotificationDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly channels: Map<string, Channel>;

  constructor(
    private readonly storage: Storage,
    channels: readonly Channel[],
    private readonly options: DispatcherOptions,
  ) {
    this.channels = new Map(channels.map((c) => [c.name, c]));
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.options.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Sends what is due now (again after the current round, if one is running). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Resolves when no round is running (tests; stop). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.settled();
  }

  private async drain(): Promise<void> {
    const { concurrency, leaseMs } = this.options;
    for (;;) {
      if (this.stopped) return;
      let rows: OutboxRow[];
      try {
        rows = await this.storage.claimNotifications(this.now(), concurrency, leaseMs);
      } catch {
        return; // storage is down: the next tick tries again
      }
      await Promise.all(rows.map((row) => this.sendOne(row)));
      if (rows.length < concurrency) return;
    }
  }

  private async sendOne(row: OutboxRow): Promise<void> {
    const attempts = row.attempts + 1;
    try {
      const channel = this.channels.get(row.channel);
      if (!channel) throw new Error(`the ${row.channel} channel is not configured on this node`);
      if (row.payload.event === 'unacknowledged' && (await this.storage.getAlarm(row.alarmId))?.state !== 'active') {
        // Acknowledged or cleared in time: the escalation is not needed. Recorded as sent with 0 attempts.
        await this.storage.markNotificationSent(row.id, row.attempts, this.now());
        return;
      }
      await channel.send(row);
      await this.storage.markNotificationSent(row.id, attempts, this.now());
    } catch (err) {
      this.options.onError(err, row);
      // A refused target stays refused: no point retrying it.
      const final = attempts >= this.options.maxAttempts || (err instanceof FluxgateError && err.code === 'WEBHOOK_TARGET_REFUSED');
      const next = final ? null : this.now() + retryDelay(attempts, this.options.retryBaseMs);
      await this.storage.markNotificationFailed(row.id, attempts, (err as Error).message ?? String(err), next, this.now()).catch(() => {});
    }
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}

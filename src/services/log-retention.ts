// Log retention: a periodic sweep deletes device log lines older than the retention period.
// Every node may sweep; the delete is idempotent, so no coordination is needed.
import { DAY } from '../domain/time.ts';
import type { Storage } from '../storage/storage.ts';

export class LogRetention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly storage: Storage,
    /** 0 keeps logs forever. */
    private readonly retentionDays: number,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void,
    private readonly onSwept: (deleted: number) => void = () => {},
  ) {}

  /** Sweeps now and then every interval; does nothing when retention is 0 (forever). */
  start(): void {
    if (this.retentionDays === 0 || this.timer) return;
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
  }

  /** Deletes lines older than now minus the retention; returns how many. One sweep at a time. */
  sweep(now = Date.now()): Promise<number> {
    if (this.retentionDays === 0) return Promise.resolve(0);
    this.running ??= this.storage
      .deleteLogsBefore(now - this.retentionDays * DAY)
      .then(
        (deleted) => {
          this.onSwept(deleted);
          return deleted;
        },
        (err: unknown) => {
          this.onError(err);
          return 0;
        },
      )
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

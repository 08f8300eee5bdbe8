// Log retention: a periodic sweep deletes device log lines older than the retention period.
// The timer sweeps only when `mayRun` says so (the scheduler's leader); the delete is idempotent anyway.
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
    private readonly mayRun: () => boolean = () => true,
  ) {}

  /** Sweeps now and then every interval; does nothing when retention is 0 (forever). */
  start(): void {
    if (this.retentionDays === 0 || this.timer) return;
    if (this.mayRun()) void this.sweep();
    // A tick while a sweep is still running is skipped rather than queued behind it.
    this.timer = setInterval(() => {
      if (!this.running && this.mayRun()) void this.sweep();
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Deletes lines older than `now` minus the retention; returns how many. Sweeps run one after another. */
  sweep(now = Date.now()): Promise<number> {
    if (this.retentionDays === 0) return Promise.resolve(0);
    const run = (this.running ?? Promise.resolve(0)).then(() => this.deleteOld(now));
    this.running = run;
    void run.then(() => {
      if (this.running === run) this.running = undefined;
    });
    return run;
  }

  private async deleteOld(now: number): Promise<number> {
    try {
      const deleted = await this.storage.deleteLogsBefore(now - this.retentionDays * DAY);
      this.onSwept(deleted);
      return deleted;
    } catch (err) {
      this.onError(err);
      return 0;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

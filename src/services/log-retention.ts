// Log retention: a periodic sweep deletes device log lines older than the retention period.
// The timer sweeps only when `mayRun` says so (the scheduler's leader); the delete is idempotent anyway.
import { DAY } from '../domain/time.ts';
import type { Storage } from '../storage/storage.ts';
import { PeriodicSweep } from './periodic-sweep.ts';

export class LogRetention {
  private readonly periodic: PeriodicSweep<number>;

  constructor(
    private readonly storage: Storage,
    /** 0 keeps logs forever. */
    private readonly retentionDays: number,
    intervalMs: number,
    private readonly onError: (err: unknown) => void,
    private readonly onSwept: (deleted: number) => void = () => {},
    mayRun: () => boolean = () => true,
  ) {
    this.periodic = new PeriodicSweep((now) => this.deleteOld(now), 0, intervalMs, () => this.retentionDays > 0, mayRun);
  }

  /** Sweeps now and then every interval; does nothing when retention is 0 (forever). */
  start(): void {
    this.periodic.start();
  }

  /** Deletes lines older than `now` minus the retention; returns how many. Sweeps run one after another. */
  sweep(now = Date.now()): Promise<number> {
    return this.periodic.sweep(now);
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

  stop(): Promise<void> {
    return this.periodic.stop();
  }
}

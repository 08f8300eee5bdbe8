// Background compaction, the same on both adapters: every `everyMs` it steps until no work is left,
// yielding between steps; compact() steps until done for the admin command and tests. A failed step
// waits for the next round.
import type { CompactionStep } from '../storage.ts';

export class CompactionLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly step: () => Promise<CompactionStep>,
    private readonly everyMs: number,
  ) {}

  /** Starts the background rounds; an interval of 0 leaves compaction to compact() calls. */
  start(): void {
    if (this.everyMs <= 0) return;
    this.timer ??= setInterval(() => this.runInBackground(), this.everyMs).unref();
  }

  /** Stops the timer and waits for a running round. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => {});
  }

  async compact(): Promise<{ movedPoints: number; mergedWindows: number }> {
    await this.running?.catch(() => {});
    const total = { movedPoints: 0, mergedWindows: 0 };
    for (;;) {
      const step = await this.step();
      total.movedPoints += step.movedPoints;
      total.mergedWindows += step.mergedWindows;
      if (!step.more) return total;
    }
  }

  private runInBackground(): void {
    if (this.running) return;
    this.running = (async () => {
      for (let step = await this.step(); step.more && this.timer; step = await this.step()) {
        await new Promise((resolve) => setImmediate(resolve));
      }
    })()
      .catch(() => {})
      .finally(() => (this.running = undefined));
  }
}

// Background compaction, the same on both adapters: every `everyMs` it steps until no work is left,
// yielding between steps; compact() steps until done for the admin command and tests. A failed step
// waits for the next round.
//
// Ingest comes first. A burst of writes (a backfill, a fleet reconnecting and sending what it
// buffered) shorter than BURST_GRACE_MS is not interrupted: compaction waits until it ends, then
// catches up at full speed. Writes that go on longer get compaction in the pauses: each step is
// followed by a pause of BUSY_PAUSE_FACTOR times its own length, so compaction takes at most a quarter
// of what it shares with the group commits (SQLite: the one writer; PostgreSQL: this process's CPU,
// which decodes and encodes the chunks it merges) and the backlog stays bounded. Without the pause a
// backlog (left by a burst of small batches) made every commit queue behind a step and halved
// single-point request throughput until it was gone.
import type { CompactionStep } from '../storage.ts';

const BUSY_PAUSE_FACTOR = 3;
/** Ingest counts as busy until this long after the last group commit began. */
const INGEST_QUIET_MS = 50;
/** Compaction waits for a burst of writes shorter than this to end. */
export const BURST_GRACE_MS = 10_000;

/** What the loop asks of ingest before each step. */
export interface IngestActivity {
  /** Writes are arriving: pause after each step. */
  busy(): boolean;
  /** Writes have been arriving for less than BURST_GRACE_MS: do not step at all. */
  inShortBurst(): boolean;
}

const QUIET_INGEST: IngestActivity = { busy: () => false, inShortBurst: () => false };

/** When the adapter's group commits last began, and when the current run of them began. */
export class RecentWrites implements IngestActivity {
  private lastAt = Number.NEGATIVE_INFINITY;
  private burstStart = Number.NEGATIVE_INFINITY;

  constructor(private readonly now: () => number = () => performance.now()) {}

  noteWrite(): void {
    const now = this.now();
    if (now - this.lastAt >= INGEST_QUIET_MS) this.burstStart = now;
    this.lastAt = now;
  }

  busy(): boolean {
    return this.now() - this.lastAt < INGEST_QUIET_MS;
  }

  inShortBurst(): boolean {
    return this.busy() && this.now() - this.burstStart < BURST_GRACE_MS;
  }
}

/** The pause after a step that took `tookMs`: none when ingest is quiet, three times the step when not. */
export function pauseAfterStep(tookMs: number, ingestBusy: boolean): number {
  return ingestBusy ? BUSY_PAUSE_FACTOR * Math.max(0, tookMs) : 0;
}

export class CompactionLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly step: () => Promise<CompactionStep>,
    private readonly everyMs: number,
    private readonly ingest: IngestActivity = QUIET_INGEST,
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
      for (;;) {
        if (this.ingest.inShortBurst()) return; // the next round looks again
        const started = performance.now();
        const step = await this.step();
        if (!step.more || !this.timer) return;
        const pauseMs = pauseAfterStep(performance.now() - started, this.ingest.busy());
        await new Promise((resolve) => (pauseMs > 0 ? setTimeout(resolve, pauseMs) : setImmediate(resolve)));
      }
    })()
      .catch(() => {})
      .finally(() => (this.running = undefined));
  }
}

// A sweep run now and then every interval, on the scheduler leader only (`mayRun`): a tick while one
// is still running is skipped rather than queued behind it, and explicit sweeps run one after another.
export class PeriodicSweep<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<T> | undefined;

  constructor(
    private readonly run: (now: number) => Promise<T>,
    /** What a sweep that has nothing to do returns. */
    private readonly idle: T,
    private readonly intervalMs: number,
    private readonly enabled: () => boolean,
    private readonly mayRun: () => boolean,
  ) {}

  start(): void {
    if (!this.enabled() || this.timer) return;
    if (this.mayRun()) void this.sweep();
    this.timer = setInterval(() => {
      if (!this.running && this.mayRun()) void this.sweep();
    }, this.intervalMs);
    this.timer.unref();
  }

  sweep(now = Date.now()): Promise<T> {
    if (!this.enabled()) return Promise.resolve(this.idle);
    const run = (this.running ?? Promise.resolve(this.idle)).then(() => this.run(now));
    this.running = run;
    void run.then(() => {
      if (this.running === run) this.running = undefined;
    });
    return run;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

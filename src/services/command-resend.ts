// At-least-once delivery of commands. The node that stores a command hands it to the broker right
// after; a node killed in between (or whose broker connection never came back) leaves it `pending`,
// and nothing else would publish it. So the scheduler leader looks, every `afterMs`, for commands
// still pending `afterMs` after they were created and not expired, and announces each on the bus
// ('command.resend'); the MQTT relay sends it as it sends a new command. A device may therefore
// receive a command twice, and de-duplicates by its id.
import type { Command } from '../domain/command.ts';
import type { Storage } from '../storage/storage.ts';
import type { EventBus } from './event-bus.ts';

export interface CommandResendOptions {
  afterMs: number;
  /** Commands read per run; the next run continues after the last one, so none waits forever behind others. */
  pageSize?: number;
  /** Whether a run may happen now (the scheduler's leader). */
  mayRun: () => boolean;
  onError: (err: unknown) => void;
}

export class CommandResend {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private cursor: { expiresAt: number; id: string } | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly bus: EventBus,
    private readonly options: CommandResendOptions,
  ) {}

  start(): void {
    if (this.timer) return;
    // A tick while a run is still going is skipped rather than queued behind it.
    this.timer = setInterval(() => {
      if (!this.running && this.options.mayRun()) void this.run();
    }, this.options.afterMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One run: announces a page of stale pending commands; returns how many. */
  run(now = Date.now()): Promise<number> {
    const run = (this.running ?? Promise.resolve(0)).then(() => this.resendPage(now));
    this.running = run;
    void run.then(() => {
      if (this.running === run) this.running = undefined;
    });
    return run;
  }

  private async resendPage(now: number): Promise<number> {
    const limit = this.options.pageSize ?? 500;
    let page: Command[];
    try {
      page = await this.storage.listStalePendingCommands({ createdBefore: now - this.options.afterMs, now, after: this.cursor, limit });
    } catch (err) {
      this.options.onError(err);
      return 0;
    }
    const last = page.at(-1);
    this.cursor = page.length === limit && last ? { expiresAt: last.expiresAt, id: last.id } : undefined;
    for (const command of page) this.bus.emit('command.resend', { command });
    return page.length;
  }
}

// Which node runs the periodic jobs that act on shared data (command expiry and resend, log
// retention, rule timers): exactly one at a time. With PostgreSQL that is the holder of an advisory
// lock (see storage/postgres/postgres-job-lock.ts), taken over by another node within seconds when the
// holder dies; with SQLite there is one node, always the leader. Jobs that act on this node's own state
// (offline detection of the devices it saw, last_seen flushes, the notification outbox, whose rows
// are claimed with a lease) run on every node and do not ask.

export interface JobLock {
  readonly kind: 'single-node' | 'postgres-advisory-lock';
  held(): boolean;
  start(): void;
  stop(): Promise<void>;
}

export const SINGLE_NODE_LOCK: JobLock = {
  kind: 'single-node',
  held: () => true,
  start: () => {},
  stop: async () => {},
};

export type SchedulerJob = 'command-expiry' | 'command-resend' | 'log-retention' | 'telemetry-retention' | 'rule-timers' | 'dynsec-resync';

export class Leadership {
  private readonly runs = new Map<SchedulerJob, number>();

  constructor(private readonly lock: JobLock) {}

  get kind(): JobLock['kind'] {
    return this.lock.kind;
  }

  isLeader(): boolean {
    return this.lock.held();
  }

  /** Whether `job` may run now (this node leads); counts the runs it allows. */
  mayRun(job: SchedulerJob): boolean {
    if (!this.lock.held()) return false;
    this.runs.set(job, (this.runs.get(job) ?? 0) + 1);
    return true;
  }

  /** Runs of each job on this node since start. */
  runCounts(): ReadonlyMap<SchedulerJob, number> {
    return this.runs;
  }

  start(): void {
    this.lock.start();
  }

  stop(): Promise<void> {
    return this.lock.stop();
  }
}

// The scheduler lock of a PostgreSQL deployment: a session-level advisory lock held on a dedicated
// connection (not the pool's) for as long as this node leads. A node that dies closes its
// connection, PostgreSQL ends the session and the lock is free for the next node's retry. The
// session also sets idle_session_timeout, so a node whose host vanished without closing the TCP
// connection loses the lock after that timeout instead of holding it until TCP gives up; the
// heartbeat keeps a live leader's session busy well within it.
import pg from 'pg';

/** Advisory-lock namespace of Fluxgate's scheduler ('FLUX'); the second key is the schema's hash. */
const LOCK_CLASS = 0x464c5558 | 0;

export interface PostgresJobLockOptions {
  /** How often a follower tries the lock and a leader checks its connection. */
  retryMs: number;
  onChange?: (held: boolean) => void;
  onError?: (err: unknown) => void;
}

export class PostgresJobLock {
  readonly kind = 'postgres-advisory-lock' as const;
  private client: pg.Client | undefined;
  private holding = false;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly schema: string,
    private readonly options: PostgresJobLockOptions,
  ) {}

  held(): boolean {
    return this.holding;
  }

  start(): void {
    this.stopped = false;
    this.kick();
    this.timer = setInterval(() => this.kick(), this.options.retryMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.round;
    // Ending the session releases the lock at once, so another node takes over on its next retry.
    await this.drop();
  }

  /** Resolves after the current attempt (tests). */
  async settled(): Promise<void> {
    await this.round;
  }

  private kick(): void {
    if (this.round || this.stopped) return;
    this.round = this.attempt().finally(() => (this.round = undefined));
  }

  private async attempt(): Promise<void> {
    try {
      const client = this.client ?? (await this.connect());
      if (this.holding) {
        await client.query('SELECT 1');
        return;
      }
      const res = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::int4, hashtext($2)) AS locked', [LOCK_CLASS, this.schema]);
      if (res.rows[0]?.locked) this.set(true);
    } catch (err) {
      this.options.onError?.(err);
      await this.drop();
    }
  }

  private async connect(): Promise<pg.Client> {
    const timeoutMs = Math.max(5_000, this.options.retryMs * 5);
    const client = new pg.Client({
      connectionString: this.url,
      application_name: 'fluxgate-scheduler',
      keepAlive: true,
      connectionTimeoutMillis: timeoutMs,
      // A heartbeat stuck on a dead network steps down before the server's idle timeout frees the lock.
      query_timeout: this.options.retryMs * 3,
      options: `-c idle_session_timeout=${timeoutMs}`,
    });
    // A lost connection means a lost lock: step down now rather than at the next heartbeat.
    client.on('error', (err) => {
      this.options.onError?.(err);
      if (this.client === client) void this.drop();
    });
    this.client = client;
    try {
      await client.connect();
    } catch (err) {
      if (this.client === client) this.client = undefined;
      throw err;
    }
    return client;
  }

  private async drop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.set(false);
    await client?.end().catch(() => {});
  }

  private set(held: boolean): void {
    if (held === this.holding) return;
    this.holding = held;
    this.options.onChange?.(held);
  }
}

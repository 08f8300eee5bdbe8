// MQTT 5 Session Expiry across restarts [MQTT-4.1.0-2]. aedes times a disconnected session's expiry
// in memory only, so after a restart such a session would stay until its client came back. Fluxgate
// stores when each one expires, beside the sessions, and after a restart ends those whose time came
// (at once, or when it comes) unless their client connected again meanwhile.
import type { Aedes, Client } from 'aedes';

/** 0xFFFFFFFF: the session never expires. */
const NEVER = 0xffffffff;
/** setTimeout's longest delay; a later expiry is timed in several steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SessionDeadlines {
  entries(): Array<[string, number]>;
  has(clientId: string): boolean;
  set(clientId: string, at: number): Promise<void>;
  delete(clientId: string): Promise<void>;
  /** Settles once every write asked for so far is done. */
  flushed(): Promise<void>;
}

export class SessionExpiryAcrossRestarts {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly deadlines: SessionDeadlines,
    /** Ends a session: its subscriptions, queued messages and owner. */
    private readonly endSession: (clientId: string) => Promise<void>,
  ) {}

  attach(aedes: Aedes): void {
    aedes.on('clientDisconnect', (client: Client) => {
      const interval = (client as Client & { sessionExpiryInterval?: number }).sessionExpiryInterval ?? 0;
      if (client.version !== 5 || client.clean || interval >= NEVER) return;
      this.deadlines.set(client.id, Date.now() + interval * 1000).catch(() => {});
    });
    // A client back (resuming its session or starting a new one), or a session aedes itself ended.
    aedes.on('client', (client: Client) => this.forget(client.id));
    aedes.on('sessionExpired', (client: Client) => this.forget(client.id));
    for (const [clientId, at] of this.deadlines.entries()) this.arm(aedes, clientId, at);
  }

  /** Stops the timers; resolves once the deadlines written so far are stored. */
  async close(): Promise<void> {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.deadlines.flushed();
  }

  private forget(clientId: string): void {
    clearTimeout(this.timers.get(clientId));
    this.timers.delete(clientId);
    if (this.deadlines.has(clientId)) this.deadlines.delete(clientId).catch(() => {});
  }

  private arm(aedes: Aedes, clientId: string, at: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(clientId);
      if (Date.now() < at) return this.arm(aedes, clientId, at);
      if ((aedes as unknown as { clients: Record<string, unknown> }).clients[clientId]) return;
      this.endSession(clientId)
        .then(() => this.deadlines.delete(clientId))
        .catch(() => {});
    }, Math.min(Math.max(0, at - Date.now()), MAX_TIMER_MS));
    timer.unref();
    this.timers.set(clientId, timer);
  }
}

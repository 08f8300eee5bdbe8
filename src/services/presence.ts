// Hot per-device state: last_seen lives in memory and is flushed to storage in batches, never
// written row by row on every message (DESIGN.md, Storage).
import type { ConnectivityFacts } from '../domain/device.ts';
import type { Storage } from '../storage/storage.ts';

export class Presence {
  private pending = new Map<string, number>();
  private readonly lastSeen = new Map<string, number>();
  private readonly online = new Map<string, boolean>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly flushMs: number,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }

  seen(deviceId: string, at = Date.now()): void {
    this.pending.set(deviceId, at);
    this.lastSeen.set(deviceId, at);
  }

  /** The freshest last_seen known to this node (memory first, then the stored value). */
  lastSeenOf(deviceId: string, stored: number | null): number | null {
    const mem = this.lastSeen.get(deviceId);
    return mem !== undefined && (stored === null || mem > stored) ? mem : stored;
  }

  /** Records the connection state Connectivity decided, so device views agree with it. */
  setOnline(deviceId: string, online: boolean): void {
    this.online.set(deviceId, online);
  }

  onlineOf(deviceId: string): boolean | undefined {
    return this.online.get(deviceId);
  }

  /** Every device seen by this node since start, with its last_seen time. */
  seenDevices(): IterableIterator<[string, number]> {
    return this.lastSeen.entries();
  }

  /**
   * What this node knows at `now`, for storage to judge online/offline in SQL as a device view does:
   * a known state wins; otherwise the freshest last_seen (this node's memory, else the stored one).
   */
  connectivityFacts(offlineAfterMs: number, now = Date.now()): ConnectivityFacts {
    const freshAfter = now - offlineAfterMs;
    const online: string[] = [];
    const offline: string[] = [];
    for (const [id, state] of this.online) (state ? online : offline).push(id);
    for (const [id, at] of this.lastSeen) if (at > freshAfter && !this.online.has(id)) online.push(id);
    return { online, offline, freshAfter };
  }

  forget(deviceId: string): void {
    this.pending.delete(deviceId);
    this.lastSeen.delete(deviceId);
    this.online.delete(deviceId);
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.storage.touchDevices(batch);
    } catch (err) {
      for (const [id, at] of batch) if (!this.pending.has(id)) this.pending.set(id, at);
      this.onError(err);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}

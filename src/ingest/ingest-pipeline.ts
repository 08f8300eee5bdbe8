// validate → batch → commit → publish. Every transport hands raw payloads here. Submissions that
// arrive in the same turn of the event loop are committed in one transaction (group commit), and
// each submitter's promise resolves only after that commit: the caller then answers 2xx or PUBACK.
import { FluxgateError } from '../contract/errors.ts';
import { type NormalizeLimits, type Point, normalizeTelemetry } from '../domain/telemetry.ts';
import type { EventBus } from '../services/event-bus.ts';
import type { Metrics } from '../services/metrics.ts';
import type { Presence } from '../services/presence.ts';

/** Stores points durably (storage.writePoints). */
export type CommitFn = (points: readonly Point[]) => Promise<{ inserted: number; duplicates: number }>;

export interface PipelineOptions {
  maxBatchPoints: number;
  maxPendingPoints: number;
  limits: NormalizeLimits;
  /** How long after a failed commit health reports ingest as failing (unless a commit succeeds first). */
  unhealthyForMs: number;
}

/** Called once, after commit with no error, or with the refusal. Must not throw: it runs inside the flush. */
type Settle = (err?: unknown) => void;

interface Submission {
  points: Point[];
  settle: Settle;
}

export class IngestPipeline {
  private queue: Submission[] = [];
  private pendingPoints = 0;
  private scheduled = false;
  private flushing = false;
  /** When the last commit failed (ms), or undefined after a success. */
  private failedAt: number | undefined;
  private lastError: string | undefined;

  constructor(
    private readonly commit: CommitFn,
    private readonly bus: EventBus,
    private readonly presence: Presence,
    private readonly metrics: Metrics,
    private readonly options: PipelineOptions,
  ) {
    metrics.trackPendingPoints(() => this.pendingPoints);
  }

  /** Validates a payload for `deviceId`; resolves with the number of points once they are committed. */
  ingest(deviceId: string, payload: unknown, now = Date.now()): Promise<number> {
    return new Promise((resolve, reject) => this.ingestThen(deviceId, payload, (err, count) => (err === undefined ? resolve(count) : reject(err)), now));
  }

  /**
   * ingest() with a callback, for MQTT, which settles thousands of messages a second: one closure per
   * message instead of a chain of promises. `done` runs at once for a payload refused before queueing.
   */
  ingestThen(deviceId: string, payload: unknown, done: (err: unknown, count: number) => void, now = Date.now()): void {
    let points: Point[];
    try {
      points = normalizeTelemetry(payload, deviceId, now, this.options.limits);
    } catch (err) {
      this.metrics.ingestRejected.inc({ reason: 'invalid' });
      return done(err, 0);
    }
    this.enqueue(points, (err) => {
      if (err === undefined) this.presence.seen(deviceId, now);
      done(err, err === undefined ? points.length : 0);
    });
  }

  /**
   * Points a connector already validated (line protocol), possibly of several devices: committed in
   * one submission (all or nothing), like ingest(); each device counts as seen after the commit.
   */
  ingestPoints(points: Point[], now = Date.now()): Promise<number> {
    return new Promise((resolve, reject) =>
      this.enqueue(points, (err) => {
        if (err !== undefined) return reject(err);
        for (const deviceId of new Set(points.map((p) => p.deviceId))) this.presence.seen(deviceId, now);
        resolve(points.length);
      }),
    );
  }

  /** The validation limits payloads are held to (MAX_POINTS_PER_REQUEST, string and metadata sizes). */
  get limits(): NormalizeLimits {
    return this.options.limits;
  }

  private enqueue(points: Point[], settle: Settle): void {
    if (this.pendingPoints + points.length > this.options.maxPendingPoints) {
      this.metrics.ingestRejected.inc({ reason: 'overloaded' });
      return settle(new FluxgateError('INGEST_OVERLOADED'));
    }
    this.queue.push({ points, settle });
    this.pendingPoints += points.length;
    if (!this.scheduled && !this.flushing) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
  }

  get pending(): number {
    return this.pendingPoints;
  }

  /**
   * Unhealthy while the last commit failed less than `unhealthyForMs` ago. The bound matters: a node
   * taken out of a load balancer by its failing /health gets no traffic, so a later successful commit
   * alone could never make it healthy again once storage recovered.
   */
  health(now = Date.now()): { ok: boolean; pendingPoints: number; lastError?: string } {
    const failing = this.failedAt !== undefined && now - this.failedAt < this.options.unhealthyForMs;
    return failing
      ? { ok: false, pendingPoints: this.pendingPoints, lastError: this.lastError ?? 'unknown' }
      : { ok: true, pendingPoints: this.pendingPoints };
  }

  private takeBatch(): Submission[] {
    const batch: Submission[] = [];
    let size = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (batch.length > 0 && size + next.points.length > this.options.maxBatchPoints) break;
      batch.push(this.queue.shift()!);
      size += next.points.length;
    }
    return batch;
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        const points = batch.length === 1 ? batch[0]!.points : batch.flatMap((s) => s.points);
        const stopTimer = this.metrics.commitSeconds.startTimer();
        let refusal: FluxgateError | undefined;
        try {
          const result = await this.commit(points);
          stopTimer();
          this.failedAt = undefined;
          this.metrics.pointsIngested.inc(result.inserted);
          if (result.duplicates > 0) this.metrics.pointsDuplicate.inc(result.duplicates);
          this.metrics.commitBatchPoints.observe(points.length);
        } catch (err) {
          this.failedAt = Date.now();
          this.lastError = (err as Error).message;
          this.metrics.ingestRejected.inc({ reason: 'storage' }, batch.length);
          refusal = new FluxgateError('STORAGE_UNAVAILABLE');
        } finally {
          this.pendingPoints -= points.length;
        }
        for (const s of batch) s.settle(refusal);
        if (!refusal) this.bus.emit('points.stored', { points });
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Waits until everything queued so far is committed or refused. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.flushing || this.scheduled) {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

// Telemetry retention: the scheduler leader walks every series now and then, works out its policy
// (retention-policy.ts) and has storage drop what is older, a page of series per transaction. Storage
// drops raw points by whole chunks and keeps their minute rollups first when those are kept longer.
import type { Storage, RetentionResult } from '../storage/storage.ts';
import { PeriodicSweep } from './periodic-sweep.ts';
import type { ProfileService } from './profile-service.ts';
import { type RetentionDays, effectiveRetention, keepsEverything, retentionCut } from './retention-policy.ts';

const PAGE = 500;
const NOTHING: RetentionResult = { droppedChunks: 0, droppedPoints: 0, keptMinuteRows: 0, droppedRollupRows: 0 };

export class TelemetryRetention {
  private readonly periodic: PeriodicSweep<RetentionResult>;

  constructor(
    private readonly storage: Storage,
    readonly profiles: ProfileService,
    readonly defaults: RetentionDays,
    intervalMs: number,
    private readonly onError: (err: unknown) => void,
    private readonly onSwept: (result: RetentionResult) => void = () => {},
    mayRun: () => boolean = () => true,
  ) {
    this.periodic = new PeriodicSweep((now) => this.apply(now), NOTHING, intervalMs, () => true, mayRun);
  }

  /** The policy of one series of a device. */
  async policyOf(device: { deviceType: string; ownerId: string }, field: string): Promise<RetentionDays> {
    const profile = await this.profiles.forDevice(device);
    return effectiveRetention(this.defaults, profile?.retention, profile?.fields.find((f) => f.key === field)?.retention);
  }

  start(): void {
    this.periodic.start();
  }

  /** Applies every policy as of `now`; sweeps run one after another. */
  sweep(now = Date.now()): Promise<RetentionResult> {
    return this.periodic.sweep(now);
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }

  private async apply(now: number): Promise<RetentionResult> {
    const total = { ...NOTHING };
    try {
      let after: { deviceId: string; field: string } | undefined;
      for (;;) {
        const page = await this.storage.listSeries(after, PAGE);
        const cuts = [];
        for (const s of page) {
          const days = await this.policyOf(s, s.field);
          if (!keepsEverything(days)) cuts.push(retentionCut(s.deviceId, s.field, days, now));
        }
        const done = await this.storage.applyRetention(cuts);
        for (const key of Object.keys(total) as Array<keyof RetentionResult>) total[key] += done[key];
        if (page.length < PAGE) break;
        const last = page[page.length - 1]!;
        after = { deviceId: last.deviceId, field: last.field };
      }
      this.onSwept(total);
    } catch (err) {
      this.onError(err);
    }
    return total;
  }
}

// Energy consumption per local hour of a day and per local day of a range (seed 004), summed over
// one device or all devices a user may see, computed from rollups.
import { type Increment, COUNTER_FIELD, INTERVAL_FIELD, counterIncrements, intervalIncrements } from '../domain/energy.ts';
import { bucketIndex, granularitiesFor } from '../domain/rollup.ts';
import { HOUR, bucketEdges } from '../domain/time.ts';
import type { Storage } from '../storage/storage.ts';

export interface EnergySeries {
  edges: number[];
  values: number[];
  /** Per device: which field the figures came from, or null when it reports no energy. */
  sources: Record<string, string | null>;
}

export class EnergyService {
  constructor(private readonly storage: Storage) {}

  private async increments(deviceId: string, start: number, end: number, granularity: 'hour' | 'minute'): Promise<{ field: string | null; increments: Increment[] }> {
    const fields = await this.storage.fieldsOf(deviceId);
    if (fields.includes(COUNTER_FIELD)) {
      const [rows, previous] = await Promise.all([
        this.storage.readRollups({ deviceId, field: COUNTER_FIELD, granularity, start, end }),
        this.storage.rollupBefore(deviceId, COUNTER_FIELD, granularity, start),
      ]);
      return { field: COUNTER_FIELD, increments: counterIncrements(rows, previous) };
    }
    if (fields.includes(INTERVAL_FIELD)) {
      const rows = await this.storage.readRollups({ deviceId, field: INTERVAL_FIELD, granularity, start, end });
      return { field: INTERVAL_FIELD, increments: intervalIncrements(rows) };
    }
    return { field: null, increments: [] };
  }

  /** Consumption in buckets of `unit` (local hours or local days in `tz`) over [start, end). */
  async series(deviceIds: readonly string[], start: number, end: number, unit: 'hour' | 'day', tz: string): Promise<EnergySeries> {
    // Local hours are real hours counted from local midnight (a DST day has 23 or 25 of them).
    const edges =
      unit === 'hour'
        ? Array.from({ length: Math.ceil((end - start) / HOUR) + 1 }, (_, i) => Math.min(start + i * HOUR, end))
        : bucketEdges(start, end, { kind: 'calendar', unit: 'day', count: 1, label: '1d' }, tz);
    const granularity = granularitiesFor(edges)[0]!;
    const values = new Array<number>(edges.length - 1).fill(0);
    const sources: Record<string, string | null> = {};
    for (const deviceId of deviceIds) {
      const { field, increments } = await this.increments(deviceId, start, end, granularity);
      sources[deviceId] = field;
      for (const inc of increments) {
        const i = bucketIndex(edges, inc.bucket);
        if (i >= 0) values[i]! += inc.value;
      }
    }
    return { edges, values, sources };
  }
}

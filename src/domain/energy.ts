// Energy consumption from rollups. Devices report either a cumulative counter (`energy`, seed 001)
// or the energy used per interval (`energy_usage`, seeds 002/004). A counter that drops is taken
// as a reset to zero (meter replaced or rebooted), never as negative consumption.
import type { RollupRow } from './rollup.ts';

export const COUNTER_FIELD = 'energy';
export const INTERVAL_FIELD = 'energy_usage';

export interface Increment {
  bucket: number;
  value: number;
}

/** Consumption per rollup bucket of a cumulative counter; `previous` is the bucket before the range. */
export function counterIncrements(rows: readonly RollupRow[], previous?: RollupRow): Increment[] {
  const out: Increment[] = [];
  let lastValue = previous?.last;
  for (const row of rows) {
    let value = 0;
    if (lastValue !== undefined) value += row.first >= lastValue ? row.first - lastValue : row.first;
    // min below first means the counter was reset inside the bucket: count up to the peak, then from zero.
    value += row.min < row.first ? row.max - row.first + row.last : row.last - row.first;
    out.push({ bucket: row.bucket, value });
    lastValue = row.last;
  }
  return out;
}

/** Consumption per rollup bucket of per-interval readings. */
export function intervalIncrements(rows: readonly RollupRow[]): Increment[] {
  return rows.map((r) => ({ bucket: r.bucket, value: r.sum }));
}

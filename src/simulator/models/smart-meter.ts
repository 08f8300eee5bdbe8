// Smart meter (seed 004): energy used per interval (`energy_usage`, kWh — the per-interval field the
// platform's energy views sum), the seed's base load scaled by a time-of-day multiplier and varied.
import { round, vary } from '../rng.ts';
import type { DeviceModel, ModelOptions, Params, Reading } from '../model.ts';
import { failed, hourOf, numberParam, ok, unknownCommand } from '../model.ts';

/** Seed 004's default base load, kWh per interval. */
export const DEFAULT_BASE_LOAD_KWH = 0.2;

export type DayPeriod = 'night' | 'morning' | 'day' | 'evening' | 'late';

/** Seed 004's consumption periods and multipliers. */
export const PERIOD_MULTIPLIER: Record<DayPeriod, number> = { night: 0.5, morning: 1.2, day: 0.8, evening: 1.5, late: 0.7 };

export function periodOf(hour: number): DayPeriod {
  if (hour < 6) return 'night';
  if (hour < 9) return 'morning';
  if (hour < 17) return 'day';
  if (hour < 22) return 'evening';
  return 'late';
}

const COMMANDS = ['set_base_load'] as const;

export class SmartMeter implements DeviceModel {
  readonly type = 'smart_meter';
  baseLoadKwh: number;

  constructor(private readonly o: ModelOptions) {
    this.baseLoadKwh = o.baseLoad ?? DEFAULT_BASE_LOAD_KWH;
  }

  step(simNow: number, _dtMs = 0): Reading {
    const multiplier = PERIOD_MULTIPLIER[periodOf(hourOf(simNow, this.o.utcOffsetMinutes))];
    return { energy_usage: round(Math.max(0, vary(this.o.rng, this.baseLoadKwh * multiplier, this.o.variationPercent)), 4) };
  }

  command(name: string, params: Params) {
    if (name !== 'set_base_load') return unknownCommand(this.type, name, COMMANDS);
    const v = numberParam(params, ['base_load', 'value'], 0, 1000);
    if (typeof v === 'string') return failed(v);
    this.baseLoadKwh = v;
    return ok({ base_load: v });
  }

  applyDesired(desired: Params): string[] {
    if (typeof desired.base_load !== 'number' || desired.base_load < 0) return [];
    this.baseLoadKwh = desired.base_load;
    return ['base_load'];
  }
}

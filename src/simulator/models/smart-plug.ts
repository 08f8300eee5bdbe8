// Smart plug (seed 002): power_on, the appliance's draw (`power`, W) and `energy_usage`, the kWh
// used in the interval since the last reading (the per-interval field the energy views sum).
import { round, vary } from '../rng.ts';
import type { DeviceModel, ModelOptions, Params, Reading } from '../model.ts';
import { HOUR_MS, failed, numberParam, ok, unknownCommand } from '../model.ts';

/** Default appliance draw, W. */
export const DEFAULT_PLUG_LOAD_W = 150;
const COMMANDS = ['turn_on', 'turn_off', 'set_power'] as const;

export class SmartPlug implements DeviceModel {
  readonly type = 'smart_plug';
  on = true;
  loadW: number;

  constructor(private readonly o: ModelOptions) {
    this.loadW = o.baseLoad !== undefined ? o.baseLoad * 1000 : DEFAULT_PLUG_LOAD_W;
  }

  step(_simNow: number, dtMs: number): Reading {
    const power = this.on ? Math.max(0, vary(this.o.rng, this.loadW, this.o.variationPercent)) : 0;
    return {
      power_on: this.on,
      power: round(power, 1),
      energy_usage: round((power / 1000) * (Math.max(0, dtMs) / HOUR_MS), 6),
    };
  }

  command(name: string, params: Params) {
    switch (name) {
      case 'turn_on':
      case 'turn_off':
        this.on = name === 'turn_on';
        return ok({ power_on: this.on });
      case 'set_power': {
        const w = numberParam(params, ['power', 'value'], 0, 3680);
        if (typeof w === 'string') return failed(w);
        this.loadW = w;
        return ok({ power: w });
      }
      default:
        return unknownCommand(this.type, name, COMMANDS);
    }
  }

  applyDesired(desired: Params): string[] {
    if (typeof desired.power_on !== 'boolean') return [];
    this.on = desired.power_on;
    return ['power_on'];
  }
}

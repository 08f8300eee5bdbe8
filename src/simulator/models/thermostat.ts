// Thermostat (seeds 000 and 002): temperature, humidity, pressure. The room temperature follows the
// desired target_temperature with a first-order lag — T moves toward the target by 1 - e^(-dt/τ) of
// the gap per step — so a new target is approached quickly at first, then asymptotically.
import { clamp, gaussian, round } from '../rng.ts';
import type { DeviceModel, ModelOptions, Params, Reading } from '../model.ts';
import { failed, numberParam, ok, unknownCommand } from '../model.ts';

export const THERMOSTAT_LIMITS = { minTarget: 5, maxTarget: 35 } as const;
const COMMANDS = ['set_target_temperature', 'turn_on', 'turn_off'] as const;

export interface ThermostatOptions extends ModelOptions {
  /** Starting room temperature, °C. */
  initialTemperature?: number;
  /** Starting target, °C. */
  targetTemperature?: number;
}

export class Thermostat implements DeviceModel {
  readonly type = 'thermostat';
  temperature: number;
  target: number;
  heating = true;
  private humidity: number;
  private pressure: number;
  private readonly tauMs: number;

  constructor(private readonly o: ThermostatOptions) {
    this.temperature = o.initialTemperature ?? 18 + o.rng() * 4;
    this.target = o.targetTemperature ?? 21;
    this.humidity = 40 + o.rng() * 15;
    this.pressure = 1008 + o.rng() * 10;
    this.tauMs = (o.timeConstantMinutes ?? 15) * 60_000;
  }

  step(_simNow: number, dtMs: number): Reading {
    const { rng, variationPercent } = this.o;
    // With the controller off the room drifts toward an ambient 16 °C, more slowly.
    const goal = this.heating ? this.target : 16;
    const tau = this.heating ? this.tauMs : this.tauMs * 4;
    this.temperature += (goal - this.temperature) * (1 - Math.exp(-Math.max(0, dtMs) / tau));
    const noise = gaussian(rng) * 0.05 * (variationPercent / 0.1);
    this.humidity = clamp(this.humidity + gaussian(rng) * 0.3, 20, 80);
    this.pressure = clamp(this.pressure + gaussian(rng) * 0.2, 980, 1040);
    return {
      temperature: round(this.temperature + noise, 2),
      humidity: round(this.humidity, 1),
      pressure: round(this.pressure, 1),
      target_temperature: this.target,
      heating: this.heating,
    };
  }

  command(name: string, params: Params) {
    switch (name) {
      case 'set_target_temperature': {
        const t = numberParam(params, ['temperature', 'target_temperature', 'value'], THERMOSTAT_LIMITS.minTarget, THERMOSTAT_LIMITS.maxTarget);
        if (typeof t === 'string') return failed(t);
        this.target = t;
        return ok({ target_temperature: t });
      }
      case 'turn_on':
      case 'turn_off':
        this.heating = name === 'turn_on';
        return ok({ heating: this.heating });
      default:
        return unknownCommand(this.type, name, COMMANDS);
    }
  }

  applyDesired(desired: Params): string[] {
    const t = desired.target_temperature;
    if (typeof t !== 'number' || t < THERMOSTAT_LIMITS.minTarget || t > THERMOSTAT_LIMITS.maxTarget) return [];
    this.target = t;
    return ['target_temperature'];
  }
}

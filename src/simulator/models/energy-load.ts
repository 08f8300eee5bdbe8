// The seed-001 energy devices: HVAC, LED lighting, server rack, production line, kitchen equipment.
// Each reports power (kW), voltage (V), current (A, single phase: P / V), a cumulative energy
// counter (kWh, the field the platform's energy views read), status and enabled. Power follows a
// daily usage curve per type around its base power, varied by ±variationPercent.
import { clamp, gaussian, round, vary } from '../rng.ts';
import type { DeviceModel, ModelOptions, Params, Reading } from '../model.ts';
import { HOUR_MS, failed, hourOf, numberParam, ok, unknownCommand } from '../model.ts';

export const ENERGY_LOAD_TYPES = ['hvac', 'led_lighting', 'server_rack', 'production_line', 'kitchen_equipment'] as const;
export type EnergyLoadType = (typeof ENERGY_LOAD_TYPES)[number];
/** The device_type each load is registered under: the IoT Mock Service's own five type names. */
export const IOT_MOCK_SERVICE_TYPES: Readonly<Record<EnergyLoadType, string>> = {
  hvac: 'hvac',
  led_lighting: 'lighting',
  server_rack: 'server',
  production_line: 'industrial',
  kitchen_equipment: 'appliance',
};

/** Base powers of seed 001's five default devices, kW. */
export const BASE_POWER_KW: Record<EnergyLoadType, number> = {
  hvac: 25,
  led_lighting: 8.5,
  server_rack: 45,
  production_line: 120,
  kitchen_equipment: 15,
};

export const BASE_VOLTAGE = 240;
const MAX_POWER_KW = 10_000;
const COMMANDS = ['set_power', 'turn_on', 'turn_off', 'enable', 'disable', 'reset_energy'] as const;

/** Fraction of base power by local hour: what each kind of load does over a day. */
function usage(type: EnergyLoadType, hour: number): number {
  switch (type) {
    case 'hvac':
      return hour >= 7 && hour < 19 ? 1 : 0.55;
    case 'led_lighting':
      return hour >= 6 && hour < 23 ? 1 : 0.15;
    case 'server_rack':
      return 0.95;
    case 'production_line':
      return hour >= 6 && hour < 22 ? 1 : 0.1; // two shifts
    case 'kitchen_equipment':
      return (hour >= 6 && hour < 9) || (hour >= 11 && hour < 14) || (hour >= 17 && hour < 21) ? 1 : 0.2;
  }
}

export class EnergyLoad implements DeviceModel {
  basePowerKw: number;
  enabled = true;
  energyKwh = 0;

  constructor(
    readonly type: EnergyLoadType,
    private readonly o: ModelOptions,
  ) {
    this.basePowerKw = o.baseLoad ?? BASE_POWER_KW[type];
  }

  step(simNow: number, dtMs: number): Reading {
    const { rng, variationPercent } = this.o;
    const power = this.enabled ? Math.max(0, vary(rng, this.basePowerKw * usage(this.type, hourOf(simNow, this.o.utcOffsetMinutes)), variationPercent)) : 0;
    const voltage = clamp(BASE_VOLTAGE + gaussian(rng) * BASE_VOLTAGE * 0.005, BASE_VOLTAGE * 0.95, BASE_VOLTAGE * 1.05);
    this.energyKwh += (power * Math.max(0, dtMs)) / HOUR_MS;
    const [kw, volts] = [round(power, 3), round(voltage, 1)];
    return {
      power: kw,
      voltage: volts,
      current: round((kw * 1000) / volts, 2),
      energy: round(this.energyKwh, 4),
      status: 'online',
      enabled: this.enabled,
    };
  }

  command(name: string, params: Params) {
    switch (name) {
      case 'set_power': {
        const p = numberParam(params, ['power', 'value'], 0, MAX_POWER_KW);
        if (typeof p === 'string') return failed(p);
        this.basePowerKw = p;
        return ok({ power: p });
      }
      case 'turn_on':
      case 'enable':
        this.enabled = true;
        return ok({ enabled: true });
      case 'turn_off':
      case 'disable':
        this.enabled = false;
        return ok({ enabled: false });
      case 'reset_energy':
        this.energyKwh = 0;
        return ok({ energy: 0 });
      default:
        return unknownCommand(this.type, name, COMMANDS);
    }
  }

  applyDesired(desired: Params): string[] {
    const taken: string[] = [];
    if (typeof desired.enabled === 'boolean') {
      this.enabled = desired.enabled;
      taken.push('enabled');
    }
    if (typeof desired.power === 'number' && desired.power >= 0 && desired.power <= MAX_POWER_KW) {
      this.basePowerKw = desired.power;
      taken.push('power');
    }
    return taken;
  }
}

// Motion sensor (seed 002): motion_detected, sensitivity (1-100, settable) and battery_level.
// Higher sensitivity detects more; an empty battery reports nothing but its level.
import type { DeviceModel, ModelOptions, Params, Reading } from '../model.ts';
import { failed, hourOf, numberParam, ok, unknownCommand } from '../model.ts';
import { Battery } from './battery.ts';
import { motionChance } from './camera.ts';

const COMMANDS = ['set_sensitivity', 'replace_battery'] as const;

export class MotionSensor implements DeviceModel {
  readonly type = 'motion_sensor';
  sensitivity = 70;
  readonly battery: Battery;

  constructor(private readonly o: ModelOptions) {
    this.battery = new Battery(60 + o.rng() * 40, o.batteryDrainPerHour);
  }

  step(simNow: number, dtMs: number): Reading {
    const detected = this.o.rng() < motionChance(hourOf(simNow, this.o.utcOffsetMinutes)) * (this.sensitivity / 70);
    this.battery.drain(dtMs, detected ? 0.001 : 0);
    return {
      motion_detected: !this.battery.empty && detected,
      sensitivity: this.sensitivity,
      battery_level: this.battery.reading,
    };
  }

  command(name: string, params: Params) {
    switch (name) {
      case 'set_sensitivity': {
        const s = numberParam(params, ['sensitivity', 'value'], 1, 100);
        if (typeof s === 'string') return failed(s);
        this.sensitivity = s;
        return ok({ sensitivity: s });
      }
      case 'replace_battery':
        this.battery.level = 100;
        return ok({ battery_level: 100 });
      default:
        return unknownCommand(this.type, name, COMMANDS);
    }
  }

  applyDesired(desired: Params): string[] {
    const s = desired.sensitivity;
    if (typeof s !== 'number' || s < 1 || s > 100) return [];
    this.sensitivity = s;
    return ['sensitivity'];
  }
}

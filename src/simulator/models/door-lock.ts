// Door lock (seed 002): locked and battery_level. Lock and unlock cost battery; a flat battery
// refuses to move the bolt, as real locks do.
import type { DeviceModel, ModelOptions, Params, Reading } from '../model.ts';
import { failed, ok, unknownCommand } from '../model.ts';
import { Battery } from './battery.ts';

const COMMANDS = ['lock', 'unlock', 'replace_battery'] as const;
/** Battery percent one bolt movement costs. */
export const ACTUATION_COST = 0.05;

export class DoorLock implements DeviceModel {
  readonly type = 'door_lock';
  locked = true;
  readonly battery: Battery;
  private pendingCost = 0;

  constructor(o: ModelOptions) {
    this.battery = new Battery(70 + o.rng() * 30, o.batteryDrainPerHour);
  }

  step(_simNow: number, dtMs: number): Reading {
    this.battery.drain(dtMs, this.pendingCost);
    this.pendingCost = 0;
    return { locked: this.locked, battery_level: this.battery.reading };
  }

  command(name: string, _params: Params) {
    switch (name) {
      case 'lock':
      case 'unlock':
        if (this.battery.empty) return failed('battery empty: the bolt cannot move');
        this.locked = name === 'lock';
        this.pendingCost += ACTUATION_COST;
        return ok({ locked: this.locked });
      case 'replace_battery':
        this.battery.level = 100;
        return ok({ battery_level: 100 });
      default:
        return unknownCommand(this.type, name, COMMANDS);
    }
  }

  applyDesired(desired: Params): string[] {
    if (typeof desired.locked !== 'boolean' || this.battery.empty) return [];
    if (desired.locked !== this.locked) this.pendingCost += ACTUATION_COST;
    this.locked = desired.locked;
    return ['locked'];
  }
}

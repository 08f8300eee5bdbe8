// Security camera (seed 002): motion_detected and scene brightness (0-100, following daylight),
// plus whether it is recording. Motion is likelier in the day and evening.
import { clamp, round } from '../rng.ts';
import type { DeviceModel, ModelOptions, Params, Reading } from '../model.ts';
import { hourOf, ok, unknownCommand } from '../model.ts';

const COMMANDS = ['turn_on', 'turn_off', 'start_recording', 'stop_recording'] as const;

/** Daylight 0..1 by local hour: dark 20-6 h, a sine arc in between. */
export function daylight(hour: number): number {
  if (hour < 6 || hour >= 20) return 0;
  return Math.sin(((hour - 6 + 0.5) / 14) * Math.PI);
}

/** Chance of motion in one reading by local hour. */
export function motionChance(hour: number): number {
  if (hour < 6) return 0.03;
  if (hour < 22) return 0.25;
  return 0.08;
}

export class Camera implements DeviceModel {
  readonly type = 'camera';
  on = true;
  recording = false;

  constructor(private readonly o: ModelOptions) {}

  step(simNow: number, _dtMs = 0): Reading {
    const hour = hourOf(simNow, this.o.utcOffsetMinutes);
    const { rng, variationPercent } = this.o;
    const lamp = 8; // night-time street light
    const brightness = this.on ? clamp(lamp + daylight(hour) * 85 + (rng() * 2 - 1) * 100 * variationPercent * 0.5, 0, 100) : 0;
    return {
      motion_detected: this.on && rng() < motionChance(hour),
      brightness: round(brightness, 1),
      recording: this.on && this.recording,
      power_on: this.on,
    };
  }

  command(name: string, _params: Params) {
    switch (name) {
      case 'turn_on':
      case 'turn_off':
        this.on = name === 'turn_on';
        return ok({ power_on: this.on });
      case 'start_recording':
      case 'stop_recording':
        this.recording = name === 'start_recording';
        return ok({ recording: this.recording });
      default:
        return unknownCommand(this.type, name, COMMANDS);
    }
  }

  applyDesired(desired: Params): string[] {
    if (typeof desired.recording !== 'boolean') return [];
    this.recording = desired.recording;
    return ['recording'];
  }
}

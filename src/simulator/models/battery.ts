// A battery that drains per simulated hour and a little per actuation; replaced on command.
import { clamp, round } from '../rng.ts';
import { HOUR_MS } from '../model.ts';

export class Battery {
  constructor(
    public level: number,
    private readonly drainPerHour: number,
  ) {}

  drain(dtMs: number, extraPercent = 0): void {
    this.level = clamp(this.level - (this.drainPerHour * Math.max(0, dtMs)) / HOUR_MS - extraPercent, 0, 100);
  }

  get reading(): number {
    return round(this.level, 2);
  }

  get empty(): boolean {
    return this.level <= 0;
  }
}

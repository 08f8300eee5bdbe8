// Real time comes from an injected clock; simulated time runs `acceleration` times faster from a
// chosen start, so a day of thermostat or meter behaviour fits into seconds of a test.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private t = 0) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(ms: number): void {
    this.t = ms;
  }
}

/** Acceleration for "1 real second = N simulated minutes" (seed 004). */
export function accelerationFromMinutesPerSecond(minutes: number): number {
  return minutes * 60;
}

/** Maps real time to simulated time. */
export class SimTime {
  private readonly realStart: number;

  constructor(
    private readonly clock: Clock,
    readonly acceleration = 1,
    private readonly simStart = clock.now(),
  ) {
    if (!(acceleration > 0)) throw new RangeError('acceleration must be > 0');
    this.realStart = clock.now();
  }

  /** Simulated time (epoch ms) at real time `realNow`. */
  at(realNow: number): number {
    return Math.round(this.simStart + (realNow - this.realStart) * this.acceleration);
  }

  now(): number {
    return this.at(this.clock.now());
  }
}

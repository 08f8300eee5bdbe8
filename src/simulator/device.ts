// One simulated device: its model, its knobs and its own seeded randomness. `next()` produces what
// the device would put on the wire for one message slot, including the injected faults; the fleet
// decides when to call it and the transport carries the result.
import type { Clock } from './clock.ts';
import { SimTime } from './clock.ts';
import { drawFault, malformedPayload, spiked } from './faults.ts';
import type { CommandResult, DeviceModel, Params, Reading } from './model.ts';
import { createModel, type DeviceType } from './models/registry.ts';
import type { Knobs } from './profiles.ts';
import { deriveSeed, seededRng, type Rng } from './rng.ts';

export type Emission =
  | { kind: 'message'; payload: string; reading: Reading; simTs: number; spiked: boolean }
  | { kind: 'malformed'; payload: string }
  | { kind: 'dropped' }
  | { kind: 'offline'; untilReal: number }
  | { kind: 'skipped' };

export interface SimDeviceOptions {
  id: string;
  type: DeviceType;
  knobs: Knobs;
  clock: Clock;
  /** Fleet seed; each device derives its own from it and its id. */
  seed: number;
  /** Simulated start time (epoch ms); real now when absent. */
  simStart?: number | undefined;
}

export class SimulatedDevice {
  readonly id: string;
  readonly type: DeviceType;
  readonly model: DeviceModel;
  readonly rng: Rng;
  readonly time: SimTime;
  private lastSim: number;
  private offlineUntil = 0;

  constructor(readonly options: SimDeviceOptions) {
    this.id = options.id;
    this.type = options.type;
    this.rng = seededRng(deriveSeed(options.seed, options.id));
    const { knobs } = options;
    this.model = createModel(options.type, {
      rng: this.rng,
      variationPercent: knobs.variationPercent,
      baseLoad: knobs.baseLoad,
      batteryDrainPerHour: knobs.batteryDrainPerHour,
      utcOffsetMinutes: knobs.utcOffsetMinutes,
      timeConstantMinutes: knobs.roomTimeConstantMinutes,
    });
    this.time = new SimTime(options.clock, knobs.timeAcceleration, options.simStart);
    this.lastSim = this.time.now();
  }

  get knobs(): Knobs {
    return this.options.knobs;
  }

  /** True while an injected offline spell lasts. */
  offlineAt(realNow: number): boolean {
    return realNow < this.offlineUntil;
  }

  /** What the device sends in the message slot at `realNow`. */
  next(realNow: number = this.options.clock.now()): Emission {
    if (this.offlineAt(realNow)) return { kind: 'skipped' };
    // Strictly increasing: two readings at one timestamp would overwrite each other in storage.
    const simNow = Math.max(this.time.at(realNow), this.lastSim + 1);
    const reading = this.model.step(simNow, simNow - this.lastSim);
    this.lastSim = simNow;
    const { faults } = this.knobs;
    switch (drawFault(this.rng, faults)) {
      case 'offline':
        this.offlineUntil = realNow + faults.offlineMs;
        return { kind: 'offline', untilReal: this.offlineUntil };
      case 'drop':
        return { kind: 'dropped' };
      case 'malformed':
        return { kind: 'malformed', payload: malformedPayload(this.rng, reading) };
      case 'spike': {
        const r = spiked(reading, faults.spikeFactor);
        return { kind: 'message', payload: encode(r, simNow), reading: r, simTs: simNow, spiked: true };
      }
      default:
        return { kind: 'message', payload: encode(reading, simNow), reading, simTs: simNow, spiked: false };
    }
  }

  /** Send delay for network jitter, real ms. */
  jitter(): number {
    return this.knobs.jitterMs > 0 ? this.rng() * this.knobs.jitterMs : 0;
  }

  command(name: string, params: Params): CommandResult {
    return this.model.command(name, params);
  }

  applyDesired(desired: Params): string[] {
    return this.model.applyDesired(desired);
  }
}

/** Flat seed-001 message: the fields plus an ISO timestamp in simulated time. */
export function encode(reading: Reading, simTs: number): string {
  return JSON.stringify({ ...reading, timestamp: new Date(simTs).toISOString() });
}

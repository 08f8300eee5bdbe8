// Realism knobs and the named profiles of seed 003's simulator. A profile is a starting point;
// every knob can be overridden one by one (CLI flags, API body).

export interface FaultRates {
  /** Chance per message that the device drops off the network (abruptly: its last will fires). */
  offline: number;
  /** How long an offline spell lasts, real ms. */
  offlineMs: number;
  /** Chance per message that the message is lost before it is sent. */
  drop: number;
  /** Chance per message that numeric readings spike. */
  spike: number;
  /** Factor a spike multiplies numeric readings by. */
  spikeFactor: number;
  /** Chance per message that the payload is malformed (not valid telemetry). */
  malformed: number;
}

export interface Knobs {
  /** Real ms between a device's messages. */
  intervalMs: number;
  /** Random variation of readings, 0.1 = ±10 %. */
  variationPercent: number;
  /** Base power (kW) or base load (kWh per interval, smart meter); the model default when absent. */
  baseLoad?: number | undefined;
  /** Simulated ms per real ms (1 s = N simulated minutes is N × 60). */
  timeAcceleration: number;
  /** Battery percent lost per simulated hour by battery-powered devices. */
  batteryDrainPerHour: number;
  /** Largest random delay added to each send, real ms. */
  jitterMs: number;
  /** Local time offset for time-of-day patterns. */
  utcOffsetMinutes: number;
  /** Time constant τ of a thermostat's room in simulated minutes (15 when absent): how fast it follows its target. */
  roomTimeConstantMinutes?: number | undefined;
  faults: FaultRates;
}

export const NO_FAULTS: FaultRates = { offline: 0, offlineMs: 30_000, drop: 0, spike: 0, spikeFactor: 5, malformed: 0 };

export const PROFILES = {
  default: {
    intervalMs: 5_000,
    variationPercent: 0.1,
    timeAcceleration: 1,
    batteryDrainPerHour: 0.05,
    jitterMs: 100,
    utcOffsetMinutes: 0,
    faults: NO_FAULTS,
  },
  high_frequency: {
    intervalMs: 1_000,
    variationPercent: 0.05,
    timeAcceleration: 1,
    batteryDrainPerHour: 0.2,
    jitterMs: 50,
    utcOffsetMinutes: 0,
    faults: NO_FAULTS,
  },
  energy_efficient: {
    intervalMs: 60_000,
    variationPercent: 0.05,
    timeAcceleration: 1,
    batteryDrainPerHour: 0.01,
    jitterMs: 1_000,
    utcOffsetMinutes: 0,
    faults: NO_FAULTS,
  },
  // Seed 003 reports a 5 % network failure rate for its fleet runs; industrial sites see spikes too.
  industrial: {
    intervalMs: 2_000,
    variationPercent: 0.2,
    timeAcceleration: 1,
    batteryDrainPerHour: 0.05,
    jitterMs: 250,
    utcOffsetMinutes: 0,
    faults: { offline: 0.002, offlineMs: 20_000, drop: 0.05, spike: 0.01, spikeFactor: 4, malformed: 0.005 },
  },
} as const satisfies Record<string, Knobs>;

export type ProfileName = keyof typeof PROFILES;
export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

export function isProfileName(value: string): value is ProfileName {
  return Object.hasOwn(PROFILES, value);
}

export type KnobOverrides = Partial<Omit<Knobs, 'faults'>> & { faults?: Partial<FaultRates> };

/** A profile's knobs with `overrides` applied (undefined members are ignored). */
export function knobsFor(profile: ProfileName, overrides: KnobOverrides = {}): Knobs {
  const base: Knobs = { ...PROFILES[profile], faults: { ...PROFILES[profile].faults } };
  const { faults, ...rest } = overrides;
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) (base as unknown as Record<string, unknown>)[k] = v;
  for (const [k, v] of Object.entries(faults ?? {})) if (v !== undefined) (base.faults as unknown as Record<string, unknown>)[k] = v;
  validateKnobs(base);
  return base;
}

/** Throws a RangeError naming the knob that is out of range. */
export function validateKnobs(k: Knobs): void {
  const check = (name: string, value: number, min: number, max: number) => {
    if (!Number.isFinite(value) || value < min || value > max) throw new RangeError(`${name} must be between ${min} and ${max} (got ${value})`);
  };
  check('intervalMs', k.intervalMs, 1, 86_400_000);
  check('variationPercent', k.variationPercent, 0, 1);
  if (k.baseLoad !== undefined) check('baseLoad', k.baseLoad, 0, 1_000_000);
  check('timeAcceleration', k.timeAcceleration, 0.001, 1_000_000);
  check('batteryDrainPerHour', k.batteryDrainPerHour, 0, 100);
  check('jitterMs', k.jitterMs, 0, 3_600_000);
  check('utcOffsetMinutes', k.utcOffsetMinutes, -14 * 60, 14 * 60);
  if (k.roomTimeConstantMinutes !== undefined) check('roomTimeConstantMinutes', k.roomTimeConstantMinutes, 0.01, 10_000);
  for (const name of ['offline', 'drop', 'spike', 'malformed'] as const) check(`faults.${name}`, k.faults[name], 0, 1);
  check('faults.offlineMs', k.faults.offlineMs, 0, 86_400_000);
  check('faults.spikeFactor', k.faults.spikeFactor, 0, 1000);
  if (k.faults.offline + k.faults.drop + k.faults.spike + k.faults.malformed > 1) throw new RangeError('fault rates add up to more than 1');
}

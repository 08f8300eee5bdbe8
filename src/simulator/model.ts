// What every device model offers: advance in simulated time and report a reading, obey commands,
// take desired state. Models are pure: all randomness comes from the injected Rng and all time from
// the simulated timestamps they are given, so a seed reproduces a run exactly.
import type { Rng } from './rng.ts';

export type FieldValue = number | boolean | string;
export type Reading = Record<string, FieldValue>;
export type Params = Record<string, unknown>;

export interface CommandResult {
  status: 'acked' | 'failed';
  result?: Record<string, FieldValue>;
  error?: string;
}

export interface ModelOptions {
  rng: Rng;
  /** Spread of random variation, 0.1 = ±10 % (seed 001 DATA_VARIATION_PERCENT). */
  variationPercent: number;
  /** Replaces the model's base power (kW) or base load (kWh per interval for the smart meter). */
  baseLoad?: number | undefined;
  /** Battery percent lost per simulated hour (battery-powered models only). */
  batteryDrainPerHour: number;
  /** Offset of the devices' local time from UTC, for time-of-day patterns. */
  utcOffsetMinutes: number;
  /** Time constant τ of a thermostat's room, simulated minutes (15 when absent). */
  timeConstantMinutes?: number | undefined;
}

export interface DeviceModel {
  readonly type: string;
  /** Advances the state by `dtMs` of simulated time ending at `simNow` and returns the reading. */
  step(simNow: number, dtMs: number): Reading;
  /** Runs a command; unknown commands and bad parameters fail with a message. */
  command(name: string, params: Params): CommandResult;
  /** Applies desired state (e.g. target_temperature); returns the keys it took. */
  applyDesired(desired: Params): string[];
}

export const ok = (result: Record<string, FieldValue> = {}): CommandResult => ({ status: 'acked', result });
export const failed = (error: string): CommandResult => ({ status: 'failed', error });

export function unknownCommand(type: string, name: string, known: readonly string[]): CommandResult {
  return failed(`${type} does not know the command "${name}" (known: ${known.join(', ')})`);
}

/** A finite number from the first of `keys` present in `params`, or an error message. */
export function numberParam(params: Params, keys: readonly string[], min: number, max: number): number | string {
  const key = keys.find((k) => params[k] !== undefined);
  if (key === undefined) return `parameter ${keys[0]} is required`;
  const value = params[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) return `parameter ${key} must be a number`;
  if (value < min || value > max) return `parameter ${key} must be between ${min} and ${max}`;
  return value;
}

/** Local hour of day (0-23) of a simulated time. */
export function hourOf(simNow: number, utcOffsetMinutes: number): number {
  const local = simNow + utcOffsetMinutes * 60_000;
  return Math.floor((((local % 86_400_000) + 86_400_000) % 86_400_000) / 3_600_000);
}

export const HOUR_MS = 3_600_000;

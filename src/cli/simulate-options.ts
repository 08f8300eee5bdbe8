// `fluxgate simulate` flags turned into a checked plan. Pure, so every flag's rule is testable;
// a bad value throws an error naming the flag.
import { accelerationFromMinutesPerSecond } from '../simulator/clock.ts';
import { DEVICE_TYPES, SEED_001_TYPES, isDeviceType, type DeviceType } from '../simulator/models/registry.ts';
import { PROFILE_NAMES, isProfileName, knobsFor, type Knobs } from '../simulator/profiles.ts';

export interface SimulateFlags {
  url: string;
  username: string;
  password?: string;
  token?: string;
  devicesFile?: string;
  saveDevices?: string;
  count: string;
  types: string;
  transport: string;
  mqttUrl?: string;
  topicPrefix: string;
  profile: string;
  interval?: string;
  variation?: string;
  baseLoad?: string;
  minutesPerSecond?: string;
  batteryDrain?: string;
  jitter?: string;
  offlineRate?: string;
  offlineSeconds?: string;
  dropRate?: string;
  spikeRate?: string;
  malformedRate?: string;
  duration?: string;
  seed: string;
  start?: string;
  progress: boolean;
}

export interface SimulatePlan {
  url: string;
  auth: { token: string } | { username: string; password: string } | undefined;
  devicesFile?: string | undefined;
  saveDevices?: string | undefined;
  count: number;
  types: DeviceType[];
  transport: 'mqtt' | 'http';
  mqttUrl: string;
  topicPrefix: string;
  knobs: Knobs;
  durationMs?: number | undefined;
  seed: number;
  simStart?: number | undefined;
  progress: boolean;
}

export class FlagError extends Error {
  override name = 'FlagError';
}

function num(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < min || v > max) throw new FlagError(`--${flag} must be a number from ${min} to ${max} (got "${text}")`);
  return v;
}

function integer(flag: string, text: string, min: number, max: number): number {
  const v = num(flag, text, min, max)!;
  if (!Number.isInteger(v)) throw new FlagError(`--${flag} must be a whole number (got "${text}")`);
  return v;
}

export function planSimulation(f: SimulateFlags, env: Record<string, string | undefined> = process.env): SimulatePlan {
  let url: URL;
  try {
    url = new URL(f.url);
  } catch {
    throw new FlagError(`--url must be a URL like http://127.0.0.1:8080 (got "${f.url}")`);
  }
  if (!isProfileName(f.profile)) throw new FlagError(`--profile must be one of ${PROFILE_NAMES.join(', ')} (got "${f.profile}")`);
  if (f.transport !== 'mqtt' && f.transport !== 'http') throw new FlagError(`--transport must be mqtt or http (got "${f.transport}")`);
  const typeNames = f.types === 'all' ? [...DEVICE_TYPES] : f.types === 'seed001' ? [...SEED_001_TYPES] : f.types.split(',').map((t) => t.trim()).filter(Boolean);
  const bad = typeNames.filter((t) => !isDeviceType(t));
  if (bad.length > 0 || typeNames.length === 0) throw new FlagError(`--types: unknown ${bad.join(', ') || '(none)'}; use ${DEVICE_TYPES.join(', ')}, seed001 or all`);
  const seconds = (flag: string, text: string | undefined) => {
    const v = num(flag, text, 0.001, 86_400);
    return v === undefined ? undefined : v * 1000;
  };
  const minutesPerSecond = num('minutes-per-second', f.minutesPerSecond, 0.0001, 10_000);
  let knobs: Knobs;
  try {
    knobs = knobsFor(f.profile, {
      intervalMs: seconds('interval', f.interval),
      variationPercent: num('variation', f.variation, 0, 1),
      baseLoad: num('base-load', f.baseLoad, 0, 1_000_000),
      timeAcceleration: minutesPerSecond === undefined ? undefined : accelerationFromMinutesPerSecond(minutesPerSecond),
      batteryDrainPerHour: num('battery-drain', f.batteryDrain, 0, 100),
      jitterMs: num('jitter', f.jitter, 0, 3_600_000),
      faults: {
        offline: num('offline-rate', f.offlineRate, 0, 1),
        offlineMs: seconds('offline-seconds', f.offlineSeconds),
        drop: num('drop-rate', f.dropRate, 0, 1),
        spike: num('spike-rate', f.spikeRate, 0, 1),
        malformed: num('malformed-rate', f.malformedRate, 0, 1),
      },
    });
  } catch (err) {
    if (err instanceof RangeError) throw new FlagError(err.message);
    throw err;
  }
  let simStart: number | undefined;
  if (f.start !== undefined) {
    simStart = Date.parse(f.start);
    if (Number.isNaN(simStart)) throw new FlagError(`--start must be an ISO 8601 time (got "${f.start}")`);
  }
  const token = f.token ?? env.FLUXGATE_TOKEN;
  const password = f.password ?? env.FLUXGATE_PASSWORD;
  const auth = token ? { token } : password ? { username: f.username, password } : undefined;
  if (!f.devicesFile && !auth) throw new FlagError('give --devices-file, or credentials to provision devices: --token (FLUXGATE_TOKEN) or --password (FLUXGATE_PASSWORD)');
  return {
    url: url.origin,
    auth,
    devicesFile: f.devicesFile,
    saveDevices: f.saveDevices,
    count: integer('count', f.count, 1, 1_000_000),
    types: typeNames as DeviceType[],
    transport: f.transport,
    mqttUrl: f.mqttUrl ?? `mqtt://${url.hostname}:1883`,
    topicPrefix: f.topicPrefix,
    knobs,
    durationMs: seconds('duration', f.duration),
    seed: integer('seed', f.seed, 0, 2 ** 32 - 1),
    simStart,
    progress: f.progress,
  };
}

// The simulator embedded in the platform process (demo mode and the /api/v1/simulation/* API).
// It still talks to the platform only as devices and API clients do: provisioning through the HTTP
// API with a user's token, telemetry through a Transport (MQTT with each device's key in demo mode,
// HTTP when the embedded broker is off).
import { ManualClock } from './clock.ts';
import { SimulatedDevice, type Emission } from './device.ts';
import { Fleet, type StartResult } from './fleet.ts';
import { HttpTransport } from './links/http-link.ts';
import type { Transport } from './links/link.ts';
import { SEED_001_TYPES, type DeviceType } from './models/registry.ts';
import { PlatformClient, type ProvisionedDevice } from './platform-client.ts';
import { type Knobs, knobsFor } from './profiles.ts';
import { emptyCounters, type FleetCounters } from './stats.ts';

/** Seed 001's five default devices, with its id style (mock-hvac-001). */
export const DEFAULT_DEVICES: ReadonlyArray<{ id: string; type: DeviceType; name: string }> = SEED_001_TYPES.map((type) => ({
  id: `mock-${type.replace(/_/g, '-')}-001`,
  type,
  name: { hvac: 'HVAC System', led_lighting: 'LED Lighting', server_rack: 'Server Rack', production_line: 'Production Line', kitchen_equipment: 'Kitchen Equipment' }[
    type as string
  ]!,
}));

/**
 * The rest of the demo fleet: one device of every other kind, so the dashboard shows each profile
 * (a thermostat, a plug, a meter with history, a lock, a camera, a motion sensor).
 */
export const DEMO_HOME_DEVICES: ReadonlyArray<{ id: string; type: DeviceType; name: string }> = [
  { id: 'demo-thermostat-001', type: 'thermostat', name: 'Living room thermostat' },
  { id: 'demo-smart-plug-001', type: 'smart_plug', name: 'Kettle plug' },
  { id: 'demo-smart-meter-001', type: 'smart_meter', name: 'House meter' },
  { id: 'demo-door-lock-001', type: 'door_lock', name: 'Front door' },
  { id: 'demo-camera-001', type: 'camera', name: 'Porch camera' },
  { id: 'demo-motion-sensor-001', type: 'motion_sensor', name: 'Hall motion sensor' },
];

/** Every device `--demo` runs: seed 001's five and one of every other kind. */
export const DEMO_DEVICES = [...DEFAULT_DEVICES, ...DEMO_HOME_DEVICES];

/**
 * The demo's knobs: the default profile, with a room that follows its thermostat's target in
 * seconds (τ = 15 s: 98 % of a new target's gap closed within a minute), so a newcomer who sets a
 * target sees the temperature follow it while they watch. Real rooms take τ ≈ 15 min.
 */
export const DEMO_KNOBS: Knobs = { ...knobsFor('default'), roomTimeConstantMinutes: 0.25 };

/** History a demo device gets when it is first created, so charts and energy pages are not empty. */
export const DEMO_BACKFILL_DAYS = 3;

/** Seed 002's device types, used by generate. */
export const SEED_002_TYPES: readonly DeviceType[] = ['thermostat', 'camera', 'motion_sensor', 'door_lock', 'smart_plug'];

export interface EmbeddedOptions {
  baseUrl: string;
  knobs: Knobs;
  seed?: number;
  /** Builds the transport for a run, of kind `transportKind`; HTTP to baseUrl when absent. */
  transport?: () => Transport;
  transportKind?: 'mqtt' | 'http';
}

export interface SimulationStatus {
  running: boolean;
  transport: 'mqtt' | 'http';
  devices: Array<{ id: string; type: string; online: boolean }>;
  scheduled_rate: number;
  counters: FleetCounters;
  started_at: string | null;
}

export class EmbeddedSimulator {
  private devices: ProvisionedDevice[] = [];
  private fleet: Fleet | undefined;
  private kind: 'mqtt' | 'http';

  constructor(private readonly o: EmbeddedOptions) {
    this.kind = o.transport ? (o.transportKind ?? 'mqtt') : 'http';
  }

  private transport(): Transport {
    return this.o.transport?.() ?? new HttpTransport({ baseUrl: this.o.baseUrl });
  }

  /**
   * Creates (or takes over) `devices` as the user of `token`; those created now get `backfillDays`
   * of history (one reading every 15 minutes), those that existed keep theirs.
   */
  async provision(token: string, devices: ReadonlyArray<{ id: string; type: DeviceType; name: string }>, backfillDays: number): Promise<ProvisionedDevice[]> {
    const client = new PlatformClient(this.o.baseUrl, token);
    this.devices = [];
    for (const d of devices) this.devices.push(await client.ensureDevice(d.id, d.type, d.name));
    const fresh = this.devices.filter((d) => d.created);
    if (backfillDays > 0 && fresh.length > 0) await this.backfill(fresh, backfillDays);
    return this.devices;
  }

  get running(): boolean {
    return this.fleet?.isRunning ?? false;
  }

  /** Connects the devices and starts sending; says which devices could not connect. */
  async start(): Promise<StartResult> {
    if (this.running) return { connected: this.fleet?.online ?? 0, failed: [] };
    const transport = this.transport();
    this.kind = transport.kind;
    this.fleet = new Fleet({
      devices: this.devices.map((d) => ({ credentials: { id: d.id, apiKey: d.api_key, type: d.type } })),
      knobs: this.o.knobs,
      transport,
      seed: this.o.seed ?? 1,
    });
    return this.fleet.start();
  }

  async stop(): Promise<void> {
    const fleet = this.fleet;
    if (!fleet?.isRunning) return;
    await fleet.stop();
  }

  status(): SimulationStatus {
    const f = this.fleet;
    return {
      running: this.running,
      transport: this.kind,
      devices: this.devices.map((d) => ({ id: d.id, type: d.type, online: f?.isOnline(d.id) ?? false })),
      scheduled_rate: f?.scheduledRate() ?? 0,
      counters: f ? { ...f.counters } : emptyCounters(),
      started_at: f?.startedAt ? new Date(f.startedAt).toISOString() : null,
    };
  }

  /** One message from `id` now (seed 001's POST /devices/{id}/simulate); undefined when not simulated or not running. */
  async simulateOnce(id: string): Promise<Emission | undefined> {
    if (!this.running) return undefined;
    return this.fleet?.sendNow(id);
  }

  /**
   * Seed 002's generate: creates `numDevices` devices of its types as the user of `token` and
   * back-fills `days` of history, one reading every `everyMinutes`, sent as arrays of messages.
   */
  async generate(token: string, numDevices: number, days: number, everyMinutes = 15): Promise<{ devices: Array<{ id: string; type: string }>; messages: number }> {
    const client = new PlatformClient(this.o.baseUrl, token);
    const created = await client.provision(numDevices, SEED_002_TYPES, 'generated');
    const messages = await this.backfill(created, days, everyMinutes);
    return { devices: created.map((d) => ({ id: d.id, type: d.type })), messages };
  }

  /** Sends `days` of each device's readings up to now, one every `everyMinutes`, as arrays of messages; returns how many. */
  private async backfill(devices: readonly ProvisionedDevice[], days: number, everyMinutes = 15): Promise<number> {
    const http = new HttpTransport({ baseUrl: this.o.baseUrl, maxSockets: 8 });
    const end = Date.now();
    const start = end - days * 86_400_000;
    const step = everyMinutes * 60_000;
    let messages = 0;
    try {
      for (const d of devices) {
        const clock = new ManualClock(start);
        const knobs = { ...this.o.knobs, timeAcceleration: 1, faults: { ...this.o.knobs.faults, offline: 0, drop: 0, spike: 0, malformed: 0 } };
        const dev = new SimulatedDevice({ id: d.id, type: d.type, knobs, clock, seed: this.o.seed ?? 1 });
        let batch: string[] = [];
        const flush = async () => {
          if (batch.length === 0) return;
          await http.post(d.api_key, `[${batch.join(',')}]`);
          messages += batch.length;
          batch = [];
        };
        for (let t = start + step; t <= end; t += step) {
          clock.set(t);
          const e = dev.next(t);
          if (e.kind === 'message') batch.push(e.payload);
          if (batch.length >= 500) await flush();
        }
        await flush();
      }
    } finally {
      await http.close();
    }
    return messages;
  }
}

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
import type { Knobs } from './profiles.ts';
import { emptyCounters, type FleetCounters } from './stats.ts';

/** Seed 001's five default devices, with its id style (mock-hvac-001). */
export const DEFAULT_DEVICES: ReadonlyArray<{ id: string; type: DeviceType; name: string }> = SEED_001_TYPES.map((type) => ({
  id: `mock-${type.replace(/_/g, '-')}-001`,
  type,
  name: { hvac: 'HVAC System', led_lighting: 'LED Lighting', server_rack: 'Server Rack', production_line: 'Production Line', kitchen_equipment: 'Kitchen Equipment' }[
    type as string
  ]!,
}));

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

  /** Creates (or takes over) the five seed-001 devices as the user of `token`. */
  async provisionDefaults(token: string): Promise<ProvisionedDevice[]> {
    const client = new PlatformClient(this.o.baseUrl, token);
    this.devices = [];
    for (const d of DEFAULT_DEVICES) this.devices.push(await client.ensureDevice(d.id, d.type, d.name));
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
    const http = new HttpTransport({ baseUrl: this.o.baseUrl, maxSockets: 8 });
    const end = Date.now();
    const start = end - days * 86_400_000;
    const step = everyMinutes * 60_000;
    let messages = 0;
    try {
      for (const d of created) {
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
    return { devices: created.map((d) => ({ id: d.id, type: d.type })), messages };
  }
}

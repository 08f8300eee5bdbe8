// The simulator's view of the platform's public HTTP API: log in as a user and provision devices,
// exactly as any API client would. Device traffic itself goes through the links.
import { readFile, writeFile } from 'node:fs/promises';
import type { z } from 'zod';
import type { loginResponse } from '../contract/http/auth.ts';
import type { createDeviceBody } from '../contract/http/devices.ts';
import { IOT_MOCK_SERVICE_TYPES } from './models/energy-load.ts';
import { isDeviceType, type DeviceType } from './models/registry.ts';

export interface ProvisionedDevice {
  id: string;
  api_key: string;
  type: DeviceType;
  /** Made by this call (false: it existed and its key was rotated to take it over). */
  created?: boolean;
}

export class PlatformApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'PlatformApiError';
  }
}

export class PlatformClient {
  constructor(
    readonly baseUrl: string,
    private token?: string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      throw new PlatformApiError(`cannot reach ${this.baseUrl} (${(err as Error).cause ?? (err as Error).message})`, 0);
    }
    const text = await res.text();
    const json = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new PlatformApiError(`${method} ${path} answered ${res.status}: ${e?.message ?? text.slice(0, 200)}`, res.status, e?.code);
    }
    return json as T;
  }

  async login(username: string, password: string): Promise<string> {
    const r = await this.call<z.output<typeof loginResponse>>('POST', '/api/v1/auth/login', { username, password });
    this.token = r.access_token;
    return r.access_token;
  }

  async createDevice(body: z.input<typeof createDeviceBody>): Promise<{ id: string; api_key: string }> {
    return this.call('POST', '/api/v1/devices', body);
  }

  async rotateKey(id: string): Promise<string> {
    return (await this.call<{ api_key: string }>('POST', `/api/v1/devices/${encodeURIComponent(id)}/api-key`)).api_key;
  }

  /** Creates the device with this id (the IoT Mock Service's loads under its type names), or takes over an existing one by rotating its key (keys are shown once). */
  async ensureDevice(id: string, type: DeviceType, name: string): Promise<ProvisionedDevice> {
    try {
      const deviceType = (IOT_MOCK_SERVICE_TYPES as Record<string, string>)[type] ?? type;
      const created = await this.createDevice({ id, name, device_type: deviceType, location: 'Simulation', metadata: { simulated: true } });
      return { id: created.id, api_key: created.api_key, type, created: true };
    } catch (err) {
      if (!(err instanceof PlatformApiError) || err.status !== 409) throw err;
      return { id, api_key: await this.rotateKey(id), type, created: false };
    }
  }

  /** Creates `count` devices cycling through `types`, a few requests at a time. */
  async provision(count: number, types: readonly DeviceType[], namePrefix = 'sim', concurrency = 8): Promise<ProvisionedDevice[]> {
    const out: ProvisionedDevice[] = new Array(count);
    const run = Date.now().toString(36);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < count; i = next++) {
        const type = types[i % types.length]!;
        const created = await this.createDevice({
          id: `${namePrefix}-${run}-${type.replace(/_/g, '-')}-${i + 1}`,
          name: `Simulated ${type.replace(/_/g, ' ')} ${i + 1}`,
          device_type: type,
          location: 'Simulation',
          metadata: { simulated: true },
        });
        out[i] = { id: created.id, api_key: created.api_key, type };
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    return out;
  }
}

/** Reads `[{id, api_key, type}]` (JSON) as written by writeDevicesFile; names the bad entry. */
export async function readDevicesFile(path: string): Promise<ProvisionedDevice[]> {
  const raw = JSON.parse(await readFile(path, 'utf8')) as unknown;
  const list = Array.isArray(raw) ? raw : (raw as { devices?: unknown })?.devices;
  if (!Array.isArray(list)) throw new Error(`${path}: expected a JSON array of {id, api_key, type}`);
  return list.map((d: Record<string, unknown>, i) => {
    const where = `${path}: entry ${i}`;
    if (typeof d?.id !== 'string' || !d.id) throw new Error(`${where}: "id" is missing`);
    const key = d.api_key ?? d.apiKey;
    if (typeof key !== 'string' || !key) throw new Error(`${where}: "api_key" is missing`);
    const type = d.type ?? d.device_type;
    if (typeof type !== 'string' || !isDeviceType(type)) throw new Error(`${where}: "type" must be one of the simulated device types`);
    return { id: d.id, api_key: key, type };
  });
}

export async function writeDevicesFile(path: string, devices: readonly ProvisionedDevice[]): Promise<void> {
  await writeFile(path, `${JSON.stringify(devices, null, 2)}\n`, { mode: 0o600 });
}

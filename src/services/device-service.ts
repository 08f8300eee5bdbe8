// Device registry use-cases: create with a one-time API key, list, update, rotate, delete.
import { FluxgateError, isFluxgateError } from '../contract/errors.ts';
import type { ConnectivityFacts, Device, DeviceFilter, DevicePatch, DeviceStatus } from '../domain/device.ts';
import { RESERVED_DEVICE_IDS, generateId, isValidDeviceId } from '../domain/ids.ts';
import type { Storage } from '../storage/storage.ts';
import type { DeviceAccess } from './access.ts';
import { type ApiKeyVerifier, generateApiKey, hashApiKey } from './api-keys.ts';
import type { AuditLog } from './audit.ts';
import type { Principal } from './auth-service.ts';
import type { DeviceCredentialSync } from './device-credentials.ts';
import type { EventBus } from './event-bus.ts';
import type { Presence } from './presence.ts';

export interface NewDeviceInput {
  id?: string | undefined;
  name: string;
  description?: string | null | undefined;
  deviceType: string;
  location?: string | null | undefined;
  firmwareVersion?: string | null | undefined;
  hardwareVersion?: string | null | undefined;
  status?: DeviceStatus | undefined;
  metadata?: Record<string, unknown> | undefined;
  config?: Record<string, unknown> | undefined;
}

/** What deleting a device removes outside the database (the blobs of its files). */
export interface DeviceDataPurge {
  purgeDevice(deviceId: string): Promise<number>;
}

export class DeviceService {
  constructor(
    private readonly storage: Storage,
    private readonly access: DeviceAccess,
    private readonly keys: ApiKeyVerifier,
    private readonly presence: Presence,
    private readonly bus: EventBus,
    private readonly purge: DeviceDataPurge = { purgeDevice: async () => 0 },
    private readonly onPurgeError: (err: unknown, deviceId: string) => void = () => {},
    private readonly audit?: AuditLog,
    /** An external broker that authenticates devices itself (MQTT_DYNSEC): told of every key and status change. */
    private readonly credentials?: DeviceCredentialSync,
  ) {}

  /**
   * Runs `change` on the broker's copy of the device's credentials. Revocations are made there
   * before the database changes, so a broker that cannot be told leaves nothing half-done: the
   * caller gets 503 and retries.
   */
  private async tellBroker(action: string, id: string, change: (sync: DeviceCredentialSync) => Promise<void>): Promise<void> {
    if (!this.credentials) return;
    try {
      await change(this.credentials);
    } catch (err) {
      if (isFluxgateError(err)) throw err;
      throw new FluxgateError('MQTT_PROVISIONING_FAILED', `${action} device ${id}: the MQTT broker could not be updated (${(err as Error).message}); nothing was changed, retry`);
    }
  }

  private withPresence(device: Device): Device {
    const online = this.presence.onlineOf(device.id);
    const lastSeen = this.presence.lastSeenOf(device.id, device.lastSeen);
    return online === undefined ? { ...device, lastSeen } : { ...device, lastSeen, online };
  }

  async create(principal: Principal, input: NewDeviceInput): Promise<{ device: Device; apiKey: string }> {
    const id = input.id ?? generateId('dev');
    if (RESERVED_DEVICE_IDS.has(id)) throw new FluxgateError('VALIDATION_FAILED', `id: "${id}" is reserved for device-side endpoints; choose another id`);
    if (!isValidDeviceId(id)) throw new FluxgateError('VALIDATION_FAILED', 'id: use 1-64 characters of A-Z a-z 0-9 . _ -');
    if (await this.storage.getDevice(id)) throw new FluxgateError('DEVICE_EXISTS', `A device with id ${id} already exists`);
    const apiKey = generateApiKey();
    try {
      const device = await this.storage.createDevice({
        id,
        name: input.name,
        description: input.description ?? null,
        deviceType: input.deviceType,
        location: input.location ?? null,
        firmwareVersion: input.firmwareVersion ?? null,
        hardwareVersion: input.hardwareVersion ?? null,
        status: input.status ?? 'active',
        metadata: input.metadata ?? {},
        config: input.config ?? {},
        ownerId: principal.userId,
        apiKeyHash: hashApiKey(apiKey),
      });
      // The key exists in plaintext only here: the broker gets it now, or the device is not created.
      await this.tellBroker('creating', id, (sync) => sync.keyIssued(id, apiKey, hashApiKey(apiKey), device.status)).catch(async (err: unknown) => {
        await this.storage.deleteDevice(id);
        throw err;
      });
      await this.audit?.record(principal, 'device.create', 'device', id, { name: device.name });
      this.bus.emit('device.created', { deviceId: id, ownerId: device.ownerId, deviceType: device.deviceType });
      return { device, apiKey };
    } catch (err) {
      if (/unique|duplicate/i.test((err as Error).message)) throw new FluxgateError('DEVICE_EXISTS', `A device with id ${id} already exists`);
      throw err;
    }
  }

  async get(principal: Principal, id: string): Promise<Device> {
    return this.withPresence(await this.access.require(principal, id, 'read'));
  }

  async list(principal: Principal, filter: Omit<DeviceFilter, 'ownerId'>): Promise<{ items: Device[]; total: number }> {
    const scoped: DeviceFilter = principal.role === 'admin' ? filter : { ...filter, visibleTo: principal.userId };
    const page = await this.storage.listDevices(scoped);
    return { items: page.items.map((d) => this.withPresence(d)), total: page.total };
  }

  /** This node's connection knowledge at `now`, for listing devices by online state (see Presence.connectivityFacts). */
  connectivity(offlineAfterMs: number, now = Date.now()): ConnectivityFacts {
    return this.presence.connectivityFacts(offlineAfterMs, now);
  }

  async update(principal: Principal, id: string, patch: DevicePatch): Promise<Device> {
    await this.access.require(principal, id, 'owner');
    const status = patch.status;
    if (status !== undefined) await this.tellBroker('updating', id, (sync) => sync.statusChanged(id, status));
    const device = await this.storage.updateDevice(id, patch);
    if (!device) throw new FluxgateError('DEVICE_NOT_FOUND');
    const changed = Object.keys(patch).filter((k) => patch[k as keyof DevicePatch] !== undefined);
    await this.audit?.record(principal, 'device.update', 'device', id, { fields: changed, ...(patch.status ? { status: patch.status } : {}) });
    this.bus.emit('device.updated', { deviceId: id });
    return this.withPresence(device);
  }

  /**
   * Deletes the device with all its data: telemetry, logs, files and their blobs. Needs
   * `confirmed` (the API's ?confirm=true). Blobs go first, so a failure leaves a device that a
   * retried delete finishes; a second sweep after the database delete catches a blob uploaded
   * in between.
   */
  async remove(principal: Principal, id: string, confirmed: boolean): Promise<void> {
    await this.access.require(principal, id, 'owner');
    if (!confirmed) {
      throw new FluxgateError(
        'CONFIRMATION_REQUIRED',
        `Deleting device ${id} deletes its telemetry, logs and files for good: repeat with ?confirm=true`,
        { parameter: 'confirm' },
      );
    }
    await this.tellBroker('deleting', id, (sync) => sync.removed(id));
    await this.purge.purgeDevice(id);
    await this.storage.deleteDevice(id);
    await this.purge.purgeDevice(id).catch((err: unknown) => this.onPurgeError(err, id));
    this.keys.forget(id);
    this.presence.forget(id);
    await this.audit?.record(principal, 'device.delete', 'device', id);
    this.bus.emit('device.deleted', { deviceId: id });
  }

  async rotateKey(principal: Principal, id: string): Promise<string> {
    const device = await this.access.require(principal, id, 'owner');
    const apiKey = generateApiKey();
    // The broker takes the new key first: if it cannot, the old key stays valid everywhere.
    await this.tellBroker('rotating the key of', id, (sync) => sync.keyIssued(id, apiKey, hashApiKey(apiKey), device.status));
    await this.storage.setDeviceKeyHash(id, hashApiKey(apiKey));
    this.keys.forget(id);
    await this.audit?.record(principal, 'key.rotate', 'key', id);
    this.bus.emit('device.key-rotated', { deviceId: id });
    return apiKey;
  }

  async distinct(principal: Principal, column: 'device_type' | 'location'): Promise<string[]> {
    return this.storage.distinctDeviceValues(column, principal.role === 'admin' ? undefined : principal.userId);
  }

  /** Gives every device of `fromUserId` to `toUserId` (deleting a user hands their devices on). */
  async transferAll(principal: Principal, fromUserId: string, toUserId: string): Promise<number> {
    const moved = await this.storage.transferDevices(fromUserId, toUserId);
    if (moved > 0) this.bus.emit('access.changed', { userIds: [fromUserId], reason: 'transferred' });
    await this.audit?.record(principal, 'device.transfer-all', 'user', fromUserId, { to_user_id: toUserId, devices: moved });
    return moved;
  }

  /** Device-side: the device authenticated by its key reads or updates itself. */
  async self(deviceId: string): Promise<Device> {
    const device = await this.storage.getDevice(deviceId);
    if (!device) throw new FluxgateError('DEVICE_NOT_FOUND');
    return this.withPresence(device);
  }

  async heartbeat(deviceId: string): Promise<Device> {
    this.presence.seen(deviceId);
    return this.self(deviceId);
  }

  async updateSelf(deviceId: string, patch: Pick<DevicePatch, 'config' | 'firmwareVersion' | 'hardwareVersion'>): Promise<Device> {
    this.presence.seen(deviceId);
    const device = await this.storage.updateDevice(deviceId, patch);
    if (!device) throw new FluxgateError('DEVICE_NOT_FOUND');
    this.bus.emit('device.updated', { deviceId });
    return this.withPresence(device);
  }
}

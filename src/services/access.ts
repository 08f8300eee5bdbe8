// Who may do what to a device. Today: the owner and admins. Sharing (read/control grants) extends
// this one function, so every endpoint and stream keeps applying the same rule.
import { FluxgateError } from '../contract/errors.ts';
import type { Device } from '../domain/device.ts';
import type { Storage } from '../storage/storage.ts';
import type { Principal } from './auth-service.ts';

export type AccessLevel = 'read' | 'control' | 'owner';

export function canAccess(principal: Principal, device: Device, _level: AccessLevel): boolean {
  return principal.role === 'admin' || device.ownerId === principal.userId;
}

export class DeviceAccess {
  constructor(private readonly storage: Storage) {}

  /** The device when `principal` may act on it at `level`; 404 otherwise, so existence does not leak. */
  async require(principal: Principal, deviceId: string, level: AccessLevel): Promise<Device> {
    const device = await this.storage.getDevice(deviceId);
    if (!device || !canAccess(principal, device, level)) throw new FluxgateError('DEVICE_NOT_FOUND', `Device ${deviceId} not found`);
    return device;
  }
}

// Who may do what to a device: the ONE rule every endpoint and stream applies.
// Owner and admins: everything. A `control` grant: read, send commands, set desired state.
// A `read` grant: read only. Anyone else does not see the device at all (404, no existence leak).
import { FluxgateError } from '../contract/errors.ts';
import type { ShareLevel } from '../domain/accounts.ts';
import type { Device } from '../domain/device.ts';
import type { Storage } from '../storage/storage.ts';
import type { Principal } from './auth-service.ts';

export type AccessLevel = 'read' | 'control' | 'owner';

/** Pure: may `principal`, holding `grant` on `device` (if any), act at `level`? */
export function canAccess(principal: Principal, device: Device, level: AccessLevel, grant?: ShareLevel): boolean {
  if (principal.role === 'admin' || device.ownerId === principal.userId) return true;
  if (level === 'owner' || grant === undefined) return false;
  return grant === 'control' || level === 'read';
}

/** What `principal` holds on `device`: full (owner/admin), a grant, or nothing. */
export type HeldAccess = 'owner' | 'admin' | ShareLevel | undefined;

export class DeviceAccess {
  constructor(private readonly storage: Storage) {}

  async held(principal: Principal, device: Device): Promise<HeldAccess> {
    if (device.ownerId === principal.userId) return 'owner';
    if (principal.role === 'admin') return 'admin';
    return this.storage.accessLevel(device.id, principal.userId);
  }

  /**
   * The device when `principal` may act on it at `level`. 404 when they cannot see it at all, so
   * existence does not leak; 403 when they can see it but their grant is too weak.
   */
  async require(principal: Principal, deviceId: string, level: AccessLevel): Promise<Device> {
    const device = await this.storage.getDevice(deviceId);
    if (!device) throw new FluxgateError('DEVICE_NOT_FOUND', `Device ${deviceId} not found`);
    const held = await this.held(principal, device);
    const grant = held === 'read' || held === 'control' ? held : undefined;
    if (canAccess(principal, device, level, grant)) return device;
    if (grant === undefined) throw new FluxgateError('DEVICE_NOT_FOUND', `Device ${deviceId} not found`);
    throw new FluxgateError('FORBIDDEN', `Your access to device ${deviceId} is '${grant}'; this needs '${level}'`, { access: grant, needed: level });
  }
}

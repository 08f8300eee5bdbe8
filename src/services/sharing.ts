// Sharing a device with other users (read or control). Only the owner or an admin grants and
// revokes; a grantee may drop their own grant. The rule itself lives in access.ts.
import { FluxgateError } from '../contract/errors.ts';
import type { DeviceGrant, ShareLevel } from '../domain/accounts.ts';
import type { Device } from '../domain/device.ts';
import type { Storage } from '../storage/storage.ts';
import type { DeviceAccess } from './access.ts';
import type { AuditLog } from './audit.ts';
import type { Principal } from './auth-service.ts';
import type { DeviceService } from './device-service.ts';
import type { EventBus } from './event-bus.ts';

export class SharingService {
  constructor(
    private readonly storage: Storage,
    private readonly access: DeviceAccess,
    private readonly devices: DeviceService,
    private readonly audit: AuditLog,
    private readonly bus?: EventBus,
  ) {}

  /** The id of the user named by id or by username/email. */
  private async target(who: { userId?: string | undefined; username?: string | undefined }): Promise<string> {
    const user = who.userId
      ? await this.storage.getUser(who.userId)
      : who.username
        ? await this.storage.findUserForLogin(who.username)
        : undefined;
    if (!user) throw new FluxgateError('USER_NOT_FOUND', 'No such user to share with');
    return user.id;
  }

  async grant(principal: Principal, deviceId: string, who: { userId?: string | undefined; username?: string | undefined }, level: ShareLevel): Promise<DeviceGrant> {
    const device = await this.access.require(principal, deviceId, 'owner');
    const userId = await this.target(who);
    if (userId === device.ownerId) throw new FluxgateError('VALIDATION_FAILED', 'user_id: the owner already has full access', { field: 'user_id' });
    await this.storage.grantAccess({ deviceId, userId, level, grantedBy: principal.userId });
    await this.audit.record(principal, 'device.share', 'device', deviceId, { user_id: userId, level });
    this.bus?.emit('device.assigned', { deviceId, userId, level });
    const grant = (await this.storage.listAccess(deviceId)).find((g) => g.userId === userId);
    if (!grant) throw new FluxgateError('DEVICE_NOT_FOUND', `Device ${deviceId} not found`);
    return grant;
  }

  async revoke(principal: Principal, deviceId: string, userId: string): Promise<void> {
    if (principal.userId === userId) await this.access.require(principal, deviceId, 'read');
    else await this.access.require(principal, deviceId, 'owner');
    if (!(await this.storage.revokeAccess(deviceId, userId))) {
      throw new FluxgateError('NOT_FOUND', `User ${userId} has no grant on device ${deviceId}`);
    }
    this.bus?.emit('access.changed', { deviceIds: [deviceId], userIds: [userId], reason: 'unshared' });
    await this.audit.record(principal, 'device.unshare', 'device', deviceId, { user_id: userId });
  }

  /** Revokes every grant on a device (seed 004 "unassign"). */
  async revokeAll(principal: Principal, deviceId: string): Promise<number> {
    await this.access.require(principal, deviceId, 'owner');
    const grants = await this.storage.listAccess(deviceId);
    for (const g of grants) await this.storage.revokeAccess(deviceId, g.userId);
    if (grants.length > 0) this.bus?.emit('access.changed', { deviceIds: [deviceId], userIds: grants.map((g) => g.userId), reason: 'unshared' });
    await this.audit.record(principal, 'device.unshare-all', 'device', deviceId, { users: grants.map((g) => g.userId) });
    return grants.length;
  }

  async list(principal: Principal, deviceId: string): Promise<DeviceGrant[]> {
    await this.access.require(principal, deviceId, 'owner');
    return this.storage.listAccess(deviceId);
  }

  /** Every grant on the platform (admin; seed 004 "list all mappings"). */
  async listAll(principal: Principal, page: { limit: number; offset: number }): Promise<{ items: DeviceGrant[]; total: number }> {
    if (principal.role !== 'admin') throw new FluxgateError('FORBIDDEN', 'Only admins may list every mapping');
    return this.storage.listAllAccess(page);
  }

  /** The devices a user sees (owned or shared); a user may ask for themselves, an admin for anyone. */
  async devicesOf(principal: Principal, userId: string, page: { limit: number; offset: number }): Promise<{ items: Device[]; total: number }> {
    if (principal.role !== 'admin' && principal.userId !== userId) throw new FluxgateError('USER_NOT_FOUND');
    if (!(await this.storage.getUser(userId))) throw new FluxgateError('USER_NOT_FOUND');
    return this.devices.list({ userId, role: 'user', username: '' }, page);
  }
}

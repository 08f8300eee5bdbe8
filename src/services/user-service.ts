// Managing accounts: a user edits their own profile and password; admins list, create, update,
// deactivate and delete users. Deleting a user never orphans a device: the admin says whether the
// devices go to an admin or are deleted with their data.
import { FluxgateError } from '../contract/errors.ts';
import type { UserFilter } from '../domain/accounts.ts';
import type { Role, User } from '../domain/user.ts';
import type { Storage } from '../storage/storage.ts';
import type { AuditLog } from './audit.ts';
import type { AuthService, Principal } from './auth-service.ts';
import type { DeviceService } from './device-service.ts';
import type { EventBus } from './event-bus.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

export interface UserChanges {
  username?: string | undefined;
  email?: string | null | undefined;
  role?: Role | undefined;
  isActive?: boolean | undefined;
  password?: string | undefined;
}

export type DeviceDisposal = { mode: 'transfer'; toUserId?: string | undefined } | { mode: 'delete' };

function isUniqueViolation(err: unknown): boolean {
  return /unique|duplicate/i.test((err as Error).message);
}

export class UserService {
  constructor(
    private readonly storage: Storage,
    private readonly auth: AuthService,
    private readonly devices: DeviceService,
    private readonly audit: AuditLog,
    private readonly bus?: EventBus,
  ) {}

  private async existing(id: string): Promise<User> {
    const user = await this.storage.getUser(id);
    if (!user) throw new FluxgateError('USER_NOT_FOUND', `User ${id} not found`);
    return user;
  }

  private async apply(id: string, changes: UserChanges): Promise<User> {
    try {
      const user = await this.storage.updateUser(id, {
        ...(changes.username !== undefined ? { username: changes.username } : {}),
        ...(changes.email !== undefined ? { email: changes.email } : {}),
        ...(changes.role !== undefined ? { role: changes.role } : {}),
        ...(changes.isActive !== undefined ? { isActive: changes.isActive } : {}),
        ...(changes.password !== undefined ? { passwordHash: await hashPassword(changes.password) } : {}),
      });
      if (!user) throw new FluxgateError('USER_NOT_FOUND', `User ${id} not found`);
      return user;
    } catch (err) {
      if (isUniqueViolation(err)) throw new FluxgateError('USER_EXISTS');
      throw err;
    }
  }

  /** Refuses to leave the platform without an active admin. */
  private async keepAnAdmin(user: User, after: { role: Role; isActive: boolean } | 'deleted'): Promise<void> {
    if (user.role !== 'admin' || !user.isActive) return;
    const stillAdmin = after !== 'deleted' && after.role === 'admin' && after.isActive;
    if (!stillAdmin && (await this.storage.countAdmins()) <= 1) throw new FluxgateError('LAST_ADMIN');
  }

  async updateProfile(principal: Principal, changes: Pick<UserChanges, 'username' | 'email'>): Promise<User> {
    await this.existing(principal.userId);
    const user = await this.apply(principal.userId, { username: changes.username, email: changes.email });
    await this.audit.record(principal, 'user.update-profile', 'user', user.id, { fields: Object.keys(changes).filter((k) => changes[k as keyof typeof changes] !== undefined) });
    return user;
  }

  /** Changes the caller's password and ends all their sessions (they log in again). */
  async changePassword(principal: Principal, current: string, next: string): Promise<void> {
    const user = await this.storage.getUserWithSecret(principal.userId);
    if (!user) throw new FluxgateError('USER_NOT_FOUND');
    if (!(await verifyPassword(user.passwordHash, current))) throw new FluxgateError('WRONG_PASSWORD');
    await this.apply(user.id, { password: next });
    await this.audit.record(principal, 'user.change-password', 'user', user.id);
    await this.auth.revokeAllSessions(principal, user.id);
  }

  list(filter: UserFilter): Promise<{ items: User[]; total: number }> {
    return this.storage.listUsers(filter);
  }

  get(id: string): Promise<User> {
    return this.existing(id);
  }

  async create(admin: Principal, input: { username: string; email?: string | undefined; password: string; role: Role }): Promise<User> {
    const user = await this.auth.register(input, input.role);
    await this.audit.record(admin, 'user.create', 'user', user.id, { username: user.username, role: user.role });
    return user;
  }

  async update(admin: Principal, id: string, changes: UserChanges): Promise<User> {
    const before = await this.existing(id);
    await this.keepAnAdmin(before, { role: changes.role ?? before.role, isActive: changes.isActive ?? before.isActive });
    const user = await this.apply(id, changes);
    const fields = Object.keys(changes).filter((k) => changes[k as keyof UserChanges] !== undefined);
    await this.audit.record(admin, changes.isActive === false ? 'user.deactivate' : 'user.update', 'user', id, {
      fields,
      ...(changes.role ? { role: changes.role } : {}),
    });
    // A deactivated user, a changed role or a password reset ends the user's sessions.
    if (changes.isActive === false || (changes.role !== undefined && changes.role !== before.role) || changes.password !== undefined) {
      await this.auth.revokeAllSessions(admin, id, changes.isActive === false ? 'user-deactivated' : 'sessions-revoked');
    }
    return user;
  }

  async remove(admin: Principal, id: string, disposal: DeviceDisposal | undefined): Promise<{ devices: number; mode: 'transfer' | 'delete' | 'none'; toUserId?: string }> {
    const user = await this.existing(id);
    await this.keepAnAdmin(user, 'deleted');
    const owned = await this.storage.listDevices({ ownerId: id, limit: 1, offset: 0 });
    let result: { devices: number; mode: 'transfer' | 'delete' | 'none'; toUserId?: string } = { devices: 0, mode: 'none' };
    if (owned.total > 0) {
      if (!disposal) {
        throw new FluxgateError('CONFIRMATION_REQUIRED', `User ${id} owns ${owned.total} device(s): say devices=transfer (to an admin) or devices=delete`, {
          devices: owned.total,
          options: ['transfer', 'delete'],
        });
      }
      if (disposal.mode === 'transfer') {
        const toUserId = disposal.toUserId ?? admin.userId;
        const heir = await this.storage.getUser(toUserId);
        if (!heir || heir.id === id || heir.role !== 'admin' || !heir.isActive) {
          throw new FluxgateError('VALIDATION_FAILED', 'transfer_to: must be another active admin', { field: 'transfer_to' });
        }
        result = { devices: await this.devices.transferAll(admin, id, toUserId), mode: 'transfer', toUserId };
      } else {
        let deleted = 0;
        for (;;) {
          const page = await this.storage.listDevices({ ownerId: id, limit: 100, offset: 0 });
          if (page.items.length === 0) break;
          for (const d of page.items) await this.devices.remove(admin, d.id, true); // the admin chose devices=delete
          deleted += page.items.length;
        }
        result = { devices: deleted, mode: 'delete' };
      }
    }
    if (!(await this.storage.deleteUser(id))) throw new FluxgateError('USER_NOT_FOUND', `User ${id} not found`);
    this.bus?.emit('access.changed', { userIds: [id], reason: 'user-deleted' });
    await this.audit.record(admin, 'user.delete', 'user', id, { username: user.username, devices: result.devices, mode: result.mode, ...(result.toUserId ? { to_user_id: result.toUserId } : {}) });
    return result;
  }
}

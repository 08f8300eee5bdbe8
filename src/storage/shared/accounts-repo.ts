// User management, refresh-token families, device grants and the audit log, written once with
// Kysely for both adapters. RelationalRepo extends this class.
import { type Kysely, sql } from 'kysely';
import type {
  AuditEntry,
  AuditFilter,
  AuditTarget,
  DeviceGrant,
  NewAuditEntry,
  NewGrant,
  NewRefreshToken,
  RefreshTokenRecord,
  ShareLevel,
  UserFilter,
  UserPatch,
} from '../../domain/accounts.ts';
import type { User, UserWithSecret } from '../../domain/user.ts';
import type { AccountStorage } from '../account-storage.ts';
import { toUser, toUserWithSecret } from './row-mapping.ts';
import type { Database, RefreshTokensTable } from './schema.ts';

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function toRefreshToken(row: RefreshTokensTable): RefreshTokenRecord {
  return {
    id: row.id,
    familyId: row.family_id,
    userId: row.user_id,
    tokenHash: row.token_hash,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    usedAt: row.used_at === null ? null : Number(row.used_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export class AccountsRepo implements AccountStorage {
  constructor(protected readonly kysely: Kysely<Database>) {}

  async listUsers(filter: UserFilter): Promise<{ items: User[]; total: number }> {
    let query = this.kysely.selectFrom('users');
    if (filter.role !== undefined) query = query.where('role', '=', filter.role);
    if (filter.text !== undefined && filter.text !== '') {
      const pattern = `%${escapeLike(filter.text.toLowerCase())}%`;
      query = query.where((eb) =>
        eb.or([sql<boolean>`lower(username) like ${pattern} escape '\\'`, sql<boolean>`lower(coalesce(email, '')) like ${pattern} escape '\\'`]),
      );
    }
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('created_at').orderBy('id').limit(filter.limit).offset(filter.offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    ]);
    return { items: rows.map(toUser), total: Number(count?.n ?? 0) };
  }

  async getUserWithSecret(id: string): Promise<UserWithSecret | undefined> {
    const row = await this.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUserWithSecret(row) : undefined;
  }

  async getUserSessionState(id: string): Promise<{ user: User; sessionsValidAfter: number } | undefined> {
    const row = await this.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? { user: toUser(row), sessionsValidAfter: Number(row.sessions_valid_after ?? 0) } : undefined;
  }

  async updateUser(id: string, patch: UserPatch): Promise<User | undefined> {
    const values: Record<string, unknown> = { updated_at: Date.now() };
    if (patch.username !== undefined) values.username = patch.username;
    if (patch.email !== undefined) values.email = patch.email;
    if (patch.role !== undefined) values.role = patch.role;
    if (patch.isActive !== undefined) values.is_active = patch.isActive ? 1 : 0;
    if (patch.passwordHash !== undefined) values.password_hash = patch.passwordHash;
    const result = await this.kysely.updateTable('users').set(values).where('id', '=', id).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    const row = await this.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async setSessionsValidAfter(id: string, at: number): Promise<void> {
    await this.kysely.updateTable('users').set({ sessions_valid_after: at }).where('id', '=', id).execute();
  }

  async deleteUser(id: string): Promise<boolean> {
    const result = await this.kysely.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async transferDevices(fromUserId: string, toUserId: string): Promise<number> {
    const result = await this.kysely
      .updateTable('devices')
      .set({ owner_id: toUserId, updated_at: Date.now() })
      .where('owner_id', '=', fromUserId)
      .executeTakeFirst();
    // Grants the new owner held on their own devices are implied by ownership now. (No transaction:
    // SQLite shares one connection with the ingest path, and a leftover grant would be harmless.)
    await this.kysely
      .deleteFrom('device_access')
      .where('user_id', '=', toUserId)
      .where('device_id', 'in', (eb) => eb.selectFrom('devices').select('id').where('owner_id', '=', toUserId))
      .execute();
    return Number(result.numUpdatedRows);
  }

  async countAdmins(): Promise<number> {
    const row = await this.kysely
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role', '=', 'admin')
      .where('is_active', '=', 1)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async createRefreshToken(token: NewRefreshToken): Promise<void> {
    await this.kysely
      .insertInto('refresh_tokens')
      .values({
        id: token.id,
        family_id: token.familyId,
        user_id: token.userId,
        token_hash: token.tokenHash,
        created_at: token.createdAt,
        expires_at: token.expiresAt,
        used_at: null,
        revoked_at: null,
      })
      .execute();
  }

  async findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const row = await this.kysely.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return row ? toRefreshToken(row) : undefined;
  }

  async useRefreshToken(id: string, at: number): Promise<boolean> {
    const result = await this.kysely
      .updateTable('refresh_tokens')
      .set({ used_at: at })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async revokeRefreshFamily(familyId: string, at: number): Promise<number> {
    const result = await this.kysely
      .updateTable('refresh_tokens')
      .set({ revoked_at: at })
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async revokeUserRefreshTokens(userId: string, at: number): Promise<number> {
    const result = await this.kysely
      .updateTable('refresh_tokens')
      .set({ revoked_at: at })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async grantAccess(grant: NewGrant): Promise<void> {
    await this.kysely
      .insertInto('device_access')
      .values({ device_id: grant.deviceId, user_id: grant.userId, level: grant.level, granted_by: grant.grantedBy, created_at: Date.now() })
      .onConflict((oc) => oc.columns(['device_id', 'user_id']).doUpdateSet({ level: grant.level, granted_by: grant.grantedBy }))
      .execute();
  }

  async revokeAccess(deviceId: string, userId: string): Promise<boolean> {
    const result = await this.kysely.deleteFrom('device_access').where('device_id', '=', deviceId).where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  private grantsQuery() {
    return this.kysely
      .selectFrom('device_access')
      .innerJoin('users', 'users.id', 'device_access.user_id')
      .select(['device_access.device_id', 'device_access.user_id', 'users.username', 'device_access.level', 'device_access.granted_by', 'device_access.created_at']);
  }

  private static toGrant(r: { device_id: string; user_id: string; username: string; level: string; granted_by: string | null; created_at: number }): DeviceGrant {
    return {
      deviceId: r.device_id,
      userId: r.user_id,
      username: r.username,
      level: r.level as ShareLevel,
      grantedBy: r.granted_by,
      createdAt: Number(r.created_at),
    };
  }

  async listAccess(deviceId: string): Promise<DeviceGrant[]> {
    const rows = await this.grantsQuery().where('device_access.device_id', '=', deviceId).orderBy('users.username').execute();
    return rows.map(AccountsRepo.toGrant);
  }

  async listAllAccess(page: { limit: number; offset: number }): Promise<{ items: DeviceGrant[]; total: number }> {
    const [rows, count] = await Promise.all([
      this.grantsQuery().orderBy('device_access.device_id').orderBy('users.username').limit(page.limit).offset(page.offset).execute(),
      this.kysely.selectFrom('device_access').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    ]);
    return { items: rows.map(AccountsRepo.toGrant), total: Number(count?.n ?? 0) };
  }

  async accessLevel(deviceId: string, userId: string): Promise<ShareLevel | undefined> {
    const row = await this.kysely
      .selectFrom('device_access')
      .select('level')
      .where('device_id', '=', deviceId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ? (row.level as ShareLevel) : undefined;
  }

  async appendAudit(entry: NewAuditEntry): Promise<void> {
    await this.kysely
      .insertInto('audit_log')
      .values({
        at: entry.at,
        actor_id: entry.actorId,
        actor_name: entry.actorName,
        action: entry.action,
        target_type: entry.targetType,
        target_id: entry.targetId,
        details: JSON.stringify(entry.details),
      })
      .execute();
  }

  async listAudit(filter: AuditFilter): Promise<AuditEntry[]> {
    let query = this.kysely.selectFrom('audit_log').selectAll();
    if (filter.actorId !== undefined) query = query.where('actor_id', '=', filter.actorId);
    if (filter.targetType !== undefined) query = query.where('target_type', '=', filter.targetType);
    if (filter.targetId !== undefined) query = query.where('target_id', '=', filter.targetId);
    if (filter.action !== undefined) query = query.where('action', '=', filter.action);
    if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
    const rows = await query.orderBy('id', 'desc').limit(filter.limit).execute();
    return rows.map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      actorId: r.actor_id,
      actorName: r.actor_name,
      action: r.action,
      targetType: r.target_type as AuditTarget,
      targetId: r.target_id,
      details: parseDetails(r.details),
    }));
  }
}

// The accounts half of the Storage port: user management, refresh-token families, device grants
// and the audit log. Both adapters get it from the shared Kysely code (shared/accounts-repo.ts).
import type {
  AuditEntry,
  AuditFilter,
  DeviceGrant,
  NewAuditEntry,
  NewGrant,
  NewRefreshToken,
  RefreshTokenRecord,
  ShareLevel,
  UserFilter,
  UserPatch,
} from '../domain/accounts.ts';
import type { User, UserWithSecret } from '../domain/user.ts';

export interface AccountStorage {
  listUsers(filter: UserFilter): Promise<{ items: User[]; total: number }>;
  getUserWithSecret(id: string): Promise<UserWithSecret | undefined>;
  /** The user with the time before which their access tokens no longer count (0: none revoked). */
  getUserSessionState(id: string): Promise<{ user: User; sessionsValidAfter: number } | undefined>;
  updateUser(id: string, patch: UserPatch): Promise<User | undefined>;
  setSessionsValidAfter(id: string, at: number): Promise<void>;
  /** Deletes a user who owns no device (their grants and refresh tokens go with them); false when absent. */
  deleteUser(id: string): Promise<boolean>;
  /** Gives every device of `fromUserId` to `toUserId`; returns how many moved. */
  transferDevices(fromUserId: string, toUserId: string): Promise<number>;
  countAdmins(): Promise<number>;

  createRefreshToken(token: NewRefreshToken): Promise<void>;
  findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /** Marks a live token used; false when it was already used or revoked (a concurrent or replayed use). */
  useRefreshToken(id: string, at: number): Promise<boolean>;
  revokeRefreshFamily(familyId: string, at: number): Promise<number>;
  revokeUserRefreshTokens(userId: string, at: number): Promise<number>;

  /** Grants or changes `level`; the latest grant wins. */
  grantAccess(grant: NewGrant): Promise<void>;
  revokeAccess(deviceId: string, userId: string): Promise<boolean>;
  listAccess(deviceId: string): Promise<DeviceGrant[]>;
  /** Every grant on the platform, by device then username, paged. */
  listAllAccess(page: { limit: number; offset: number }): Promise<{ items: DeviceGrant[]; total: number }>;
  accessLevel(deviceId: string, userId: string): Promise<ShareLevel | undefined>;

  appendAudit(entry: NewAuditEntry): Promise<void>;
  listAudit(filter: AuditFilter): Promise<AuditEntry[]>;
}

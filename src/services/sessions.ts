// Refresh tokens: opaque random strings, stored as SHA-256 hashes, rotated on every use. Each login
// starts a family; a token presented a second time means it was copied, so the whole family is
// revoked (OAuth 2.0 Security BCP, "refresh token rotation" with reuse detection).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { FluxgateError } from '../contract/errors.ts';
import type { Storage } from '../storage/storage.ts';
import type { AuditLog } from './audit.ts';

export interface IssuedRefresh {
  token: string;
  expiresIn: number;
  familyId: string;
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export class RefreshTokens {
  constructor(
    private readonly storage: Storage,
    private readonly ttlSeconds: number,
    private readonly audit: AuditLog,
  ) {}

  async issue(userId: string, familyId: string = randomUUID()): Promise<IssuedRefresh> {
    const token = `rt_${randomBytes(32).toString('base64url')}`;
    const now = Date.now();
    await this.storage.createRefreshToken({
      id: randomUUID(),
      familyId,
      userId,
      tokenHash: hashRefreshToken(token),
      createdAt: now,
      expiresAt: now + this.ttlSeconds * 1000,
    });
    return { token, expiresIn: this.ttlSeconds, familyId };
  }

  /** Spends `token` and returns whose it was and its family; the caller issues the successor. */
  async spend(token: string): Promise<{ userId: string; familyId: string }> {
    const record = await this.storage.findRefreshToken(hashRefreshToken(token));
    const now = Date.now();
    if (!record) throw new FluxgateError('INVALID_REFRESH_TOKEN', undefined, { reason: 'unknown' });
    if (record.revokedAt !== null) throw new FluxgateError('INVALID_REFRESH_TOKEN', undefined, { reason: 'revoked' });
    if (record.usedAt !== null || !(await this.storage.useRefreshToken(record.id, now))) {
      await this.storage.revokeRefreshFamily(record.familyId, now);
      await this.audit.record(null, 'session.reuse-detected', 'session', record.familyId, { user_id: record.userId });
      throw new FluxgateError('REFRESH_TOKEN_REUSED');
    }
    if (record.expiresAt <= now) throw new FluxgateError('INVALID_REFRESH_TOKEN', undefined, { reason: 'expired' });
    return { userId: record.userId, familyId: record.familyId };
  }

  /** Ends the session `token` belongs to; unknown tokens are ignored (logout is idempotent). */
  async revokeFamilyOf(token: string): Promise<{ userId: string; familyId: string } | undefined> {
    const record = await this.storage.findRefreshToken(hashRefreshToken(token));
    if (!record) return undefined;
    await this.storage.revokeRefreshFamily(record.familyId, Date.now());
    return { userId: record.userId, familyId: record.familyId };
  }
}

// Sessions, device sharing and the audit trail: the shapes the access model is built from.
import type { Role } from './user.ts';

/** What a grant lets another user do with a device; the owner and admins always have full access. */
export const SHARE_LEVELS = ['read', 'control'] as const;
export type ShareLevel = (typeof SHARE_LEVELS)[number];

export interface DeviceGrant {
  deviceId: string;
  userId: string;
  username: string;
  level: ShareLevel;
  grantedBy: string | null;
  createdAt: number;
}

export interface NewGrant {
  deviceId: string;
  userId: string;
  level: ShareLevel;
  grantedBy: string | null;
}

/** One refresh token of a rotation family; only its hash is stored. */
export interface RefreshTokenRecord {
  id: string;
  familyId: string;
  userId: string;
  tokenHash: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  revokedAt: number | null;
}

export type NewRefreshToken = Omit<RefreshTokenRecord, 'usedAt' | 'revokedAt' | 'createdAt'> & { createdAt: number };

export interface UserPatch {
  username?: string;
  email?: string | null;
  role?: Role;
  isActive?: boolean;
  passwordHash?: string;
}

export interface UserFilter {
  text?: string;
  role?: Role;
  limit: number;
  offset: number;
}

export const AUDIT_TARGETS = ['user', 'device', 'key', 'session'] as const;
export type AuditTarget = (typeof AUDIT_TARGETS)[number];

export interface AuditEntry {
  id: number;
  at: number;
  actorId: string | null;
  actorName: string | null;
  action: string;
  targetType: AuditTarget;
  targetId: string | null;
  details: Record<string, unknown>;
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

export interface AuditFilter {
  actorId?: string;
  targetType?: AuditTarget;
  targetId?: string;
  action?: string;
  /** Entries with id below this (newest first paging). */
  beforeId?: number;
  limit: number;
}

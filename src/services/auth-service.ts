// Accounts: registration, login, sessions (short-lived access JWT + rotating refresh token), the
// first admin. Every bearer request passes authenticate(), which also applies the per-user API limit.
import { randomUUID } from 'node:crypto';
import { FluxgateError } from '../contract/errors.ts';
import type { Role, User, UserWithSecret } from '../domain/user.ts';
import type { Storage } from '../storage/storage.ts';
import { AuditLog } from './audit.ts';
import { generatePassword, hashPassword, verifyPassword } from './passwords.ts';
import type { AccessChangeReason, EventBus } from './event-bus.ts';
import type { RateLimits } from './rate-limits.ts';
import { RefreshTokens } from './sessions.ts';
import type { TokenService } from './tokens.ts';

export interface AuthOptions {
  refreshTtlSeconds?: number;
  audit?: AuditLog;
  limits?: RateLimits;
  /** Told when a user's sessions end, so live streams close at once. */
  bus?: EventBus;
}

export const DEFAULT_REFRESH_TTL_SECONDS = 30 * 24 * 3600;

export interface Principal {
  userId: string;
  role: Role;
  username: string;
}

export interface LoginResult {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  user: User;
}

// Verifying against a real hash when the user is unknown keeps login time the same either way.
let dummyHash: Promise<string> | undefined;

export class AuthService {
  readonly audit: AuditLog;
  private readonly refresh: RefreshTokens;
  private readonly limits: RateLimits | undefined;
  private readonly bus: EventBus | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly tokens: TokenService,
    options: AuthOptions = {},
  ) {
    this.audit = options.audit ?? new AuditLog(storage);
    this.refresh = new RefreshTokens(storage, options.refreshTtlSeconds ?? DEFAULT_REFRESH_TTL_SECONDS, this.audit);
    this.limits = options.limits;
    this.bus = options.bus;
  }

  private async session(user: User, familyId?: string): Promise<LoginResult> {
    const refresh = await this.refresh.issue(user.id, familyId);
    return {
      accessToken: await this.tokens.issue({ userId: user.id, role: user.role, username: user.username }),
      expiresIn: this.tokens.accessTtlSeconds,
      refreshToken: refresh.token,
      refreshExpiresIn: refresh.expiresIn,
      user,
    };
  }

  async register(input: { username: string; email?: string | undefined; password: string }, role: Role = 'user'): Promise<User> {
    const existing =
      (await this.storage.findUserForLogin(input.username)) ??
      (input.email ? await this.storage.findUserForLogin(input.email) : undefined);
    if (existing) throw new FluxgateError('USER_EXISTS');
    try {
      const user = await this.storage.createUser({
        id: randomUUID(),
        username: input.username,
        email: input.email ?? null,
        passwordHash: await hashPassword(input.password),
        role,
        isActive: true,
      });
      this.bus?.emit('user.created', { userId: user.id, username: user.username, role: user.role });
      return user;
    } catch (err) {
      // Two registrations racing for one name: the database's unique index decides.
      if (/unique|duplicate/i.test((err as Error).message)) throw new FluxgateError('USER_EXISTS');
      throw err;
    }
  }

  /** Self-registration (POST /auth/register), audited. */
  async signUp(input: { username: string; email?: string | undefined; password: string }): Promise<User> {
    const user = await this.register(input);
    await this.audit.record({ userId: user.id, username: user.username }, 'user.register', 'user', user.id);
    return user;
  }

  /** The active user with this username (or email) and password, without starting a session; else undefined. */
  async verifyCredentials(usernameOrEmail: string, password: string): Promise<UserWithSecret | undefined> {
    const user = await this.storage.findUserForLogin(usernameOrEmail);
    if (!user) {
      dummyHash ??= hashPassword(generatePassword());
      await verifyPassword(await dummyHash, password);
      return undefined;
    }
    return (await verifyPassword(user.passwordHash, password)) && user.isActive ? user : undefined;
  }

  async login(usernameOrEmail: string, password: string): Promise<LoginResult> {
    const user = await this.verifyCredentials(usernameOrEmail, password);
    if (!user) throw new FluxgateError('INVALID_CREDENTIALS');
    const now = Date.now();
    await this.storage.recordLogin(user.id, now);
    const { passwordHash: _secret, ...publicUser } = user;
    return this.session({ ...publicUser, lastLogin: now });
  }

  /** Rotates a refresh token: the old one is spent, a new pair is returned in the same family. */
  async refreshSession(refreshToken: string): Promise<LoginResult> {
    const { userId, familyId } = await this.refresh.spend(refreshToken);
    const user = await this.storage.getUser(userId);
    if (!user || !user.isActive) {
      await this.storage.revokeRefreshFamily(familyId, Date.now());
      throw new FluxgateError('INVALID_REFRESH_TOKEN', 'The user of this session no longer exists or is inactive', { reason: 'user' });
    }
    return this.session(user, familyId);
  }

  /** Ends the session of `refreshToken` (idempotent). */
  async logout(refreshToken: string): Promise<void> {
    const ended = await this.refresh.revokeFamilyOf(refreshToken);
    if (ended) await this.audit.record(null, 'session.logout', 'session', ended.familyId, { user_id: ended.userId });
  }

  /** Ends every session of `userId`: refresh tokens revoked, access tokens issued so far refused. */
  async revokeAllSessions(actor: Principal, userId: string, reason: AccessChangeReason = 'sessions-revoked'): Promise<number> {
    const now = Date.now();
    const revoked = await this.storage.revokeUserRefreshTokens(userId, now);
    await this.storage.setSessionsValidAfter(userId, now);
    this.bus?.emit('access.changed', { userIds: [userId], reason });
    await this.audit.record(actor, actor.userId === userId ? 'session.logout-all' : 'session.revoke-all', 'user', userId, { refresh_tokens: revoked });
    return revoked;
  }

  /** Resolves a bearer token to the user it names; refuses tokens of deleted or deactivated users. */
  async authenticate(token: string): Promise<Principal> {
    return (await this.authenticateSession(token)).principal;
  }

  /** Whether `token` is one this platform signed and has not expired; says nothing of its user. */
  async signatureHolds(token: string): Promise<boolean> {
    return this.tokens.verify(token).then(
      () => true,
      () => false,
    );
  }

  /** authenticate(), also giving when the token was issued (a long-lived stream re-checks it later). */
  async authenticateSession(token: string): Promise<{ principal: Principal; issuedAtMs: number }> {
    const claims = await this.tokens.verify(token);
    const principal = await this.stillSignedIn(claims.userId, claims.issuedAtMs);
    await this.limits?.consume('api', principal.userId);
    return { principal, issuedAtMs: claims.issuedAtMs };
  }

  /**
   * The user behind a token issued at `issuedAtMs`, as they are now; refuses a deleted or
   * deactivated user and sessions revoked since. Expiry is the token's business, not checked here.
   */
  async stillSignedIn(userId: string, issuedAtMs: number): Promise<Principal> {
    const state = await this.storage.getUserSessionState(userId);
    if (!state || !state.user.isActive) {
      throw new FluxgateError('INVALID_TOKEN', 'The user of this token no longer exists or is inactive', { reason: 'user' });
    }
    if (issuedAtMs < state.sessionsValidAfter) throw new FluxgateError('TOKEN_REVOKED');
    return { userId: state.user.id, role: state.user.role, username: state.user.username };
  }

  async me(principal: Principal): Promise<User> {
    const user = await this.storage.getUser(principal.userId);
    if (!user) throw new FluxgateError('USER_NOT_FOUND');
    return user;
  }

  /**
   * Creates the admin on first start: from ADMIN_PASSWORD, or a generated password returned so the
   * caller prints it once. Does nothing when any user exists.
   */
  async bootstrapAdmin(username: string, password: string | undefined): Promise<{ created: boolean; generatedPassword?: string }> {
    if ((await this.storage.countUsers()) > 0) return { created: false };
    const generated = password === undefined ? generatePassword() : undefined;
    await this.register({ username, password: password ?? generated! }, 'admin');
    return generated === undefined ? { created: true } : { created: true, generatedPassword: generated };
  }
}

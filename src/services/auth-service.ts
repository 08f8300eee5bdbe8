// Accounts: registration, login, the first admin. Full access control (refresh tokens, roles
// management, sharing) builds on this.
import { randomUUID } from 'node:crypto';
import { FluxgateError } from '../contract/errors.ts';
import type { Role, User } from '../domain/user.ts';
import type { Storage } from '../storage/storage.ts';
import { generatePassword, hashPassword, verifyPassword } from './passwords.ts';
import type { TokenService } from './tokens.ts';

export interface Principal {
  userId: string;
  role: Role;
  username: string;
}

export interface LoginResult {
  accessToken: string;
  expiresIn: number;
  user: User;
}

// Verifying against a real hash when the user is unknown keeps login time the same either way.
let dummyHash: Promise<string> | undefined;

export class AuthService {
  constructor(
    private readonly storage: Storage,
    private readonly tokens: TokenService,
  ) {}

  async register(input: { username: string; email?: string | undefined; password: string }, role: Role = 'user'): Promise<User> {
    const existing =
      (await this.storage.findUserForLogin(input.username)) ??
      (input.email ? await this.storage.findUserForLogin(input.email) : undefined);
    if (existing) throw new FluxgateError('USER_EXISTS');
    try {
      return await this.storage.createUser({
        id: randomUUID(),
        username: input.username,
        email: input.email ?? null,
        passwordHash: await hashPassword(input.password),
        role,
        isActive: true,
      });
    } catch (err) {
      // Two registrations racing for one name: the database's unique index decides.
      if (/unique|duplicate/i.test((err as Error).message)) throw new FluxgateError('USER_EXISTS');
      throw err;
    }
  }

  async login(usernameOrEmail: string, password: string): Promise<LoginResult> {
    const user = await this.storage.findUserForLogin(usernameOrEmail);
    if (!user) {
      dummyHash ??= hashPassword(generatePassword());
      await verifyPassword(await dummyHash, password);
      throw new FluxgateError('INVALID_CREDENTIALS');
    }
    if (!(await verifyPassword(user.passwordHash, password)) || !user.isActive) {
      throw new FluxgateError('INVALID_CREDENTIALS');
    }
    const now = Date.now();
    await this.storage.recordLogin(user.id, now);
    const { passwordHash: _secret, ...publicUser } = user;
    return {
      accessToken: await this.tokens.issue({ userId: user.id, role: user.role, username: user.username }),
      expiresIn: this.tokens.accessTtlSeconds,
      user: { ...publicUser, lastLogin: now },
    };
  }

  /** Resolves a bearer token to the user it names; refuses tokens of deleted or deactivated users. */
  async authenticate(token: string): Promise<Principal> {
    const claims = await this.tokens.verify(token);
    const user = await this.storage.getUser(claims.userId);
    if (!user || !user.isActive) throw new FluxgateError('INVALID_TOKEN', 'The user of this token no longer exists or is inactive');
    return { userId: user.id, role: user.role, username: user.username };
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

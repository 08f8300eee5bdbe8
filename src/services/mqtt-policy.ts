// Who may connect to the MQTT broker and what each may publish and subscribe to. Used by the
// embedded broker's hooks and by the HTTP auth/ACL hooks offered to external brokers, so both
// apply one rule: deny by default, a device only under its own id, admins everywhere.
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  DEVICE_PUBLISH_KINDS,
  DEVICE_SUBSCRIBE_KINDS,
  type MqttTopics,
} from '../contract/mqtt-topics.ts';
import type { Storage } from '../storage/storage.ts';
import type { ApiKeyVerifier } from './api-keys.ts';
import type { AuthService, Principal } from './auth-service.ts';
import type { MqttUserScope } from './mqtt-user-scope.ts';
import { VerifiedPasswords } from './verified-passwords.ts';

export type MqttIdentity =
  | { kind: 'device'; deviceId: string }
  | { kind: 'admin'; username: string; userId: string }
  /** A non-admin user (Home Assistant), only when a MqttUserScope is given; it decides what they may do. */
  | { kind: 'user'; username: string; userId: string };

/** The API principal behind a user or admin identity. */
export function principalOf(who: MqttIdentity): Principal | undefined {
  if (who.kind === 'device') return undefined;
  return { userId: who.userId, username: who.username, role: who.kind === 'admin' ? 'admin' : 'user' };
}

/** Username that makes the password an access token instead of a password. */
export const TOKEN_USERNAME = 'token';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Constant-time string equality (both sides hashed first so lengths do not leak). */
export function sameText(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export class MqttPolicy {
  private readonly verified = new VerifiedPasswords();

  constructor(
    readonly topics: MqttTopics,
    private readonly keys: ApiKeyVerifier,
    private readonly auth: AuthService,
    private readonly storage: Storage,
    /** Told of each argon2 check made for an admin's MQTT credentials (the cache answers the others). */
    private readonly onPasswordCheck: () => void = () => {},
    /** Lets non-admin users connect (Home Assistant discovery) and decides what they may do. */
    readonly userScope?: MqttUserScope,
  ) {}

  /**
   * The identity behind a username the broker already authenticated (HTTP ACL hook of an external
   * broker): an existing device, else an active admin; else undefined.
   */
  async identifyName(username: string | undefined): Promise<MqttIdentity | undefined> {
    if (!username) return undefined;
    if (await this.storage.getDevice(username)) return { kind: 'device', deviceId: username };
    const user = await this.storage.findUserForLogin(username);
    return user && user.isActive && user.role === 'admin' ? { kind: 'admin', username: user.username, userId: user.id } : undefined;
  }

  /** The identity behind username/password: a device (id + API key) or an admin user; else undefined. */
  async identify(username: string | undefined, password: string | undefined): Promise<MqttIdentity | undefined> {
    if (!username || !password) return undefined;
    const deviceId = await this.keys.deviceFor(password);
    if (deviceId !== undefined) return sameText(deviceId, username) ? { kind: 'device', deviceId } : undefined;
    if (username === TOKEN_USERNAME) return this.identifyToken(password);
    return this.identifyAdmin(username, password);
  }

  /** The user of an access token (MQTT username `token`), when users may connect or it is an admin's. */
  private async identifyToken(token: string): Promise<MqttIdentity | undefined> {
    let principal: Principal;
    try {
      principal = await this.auth.authenticate(token);
    } catch {
      return undefined;
    }
    return this.asIdentity({ id: principal.userId, username: principal.username, role: principal.role });
  }

  private asIdentity(user: { id: string; username: string; role: string }): MqttIdentity | undefined {
    if (user.role === 'admin') return { kind: 'admin', username: user.username, userId: user.id };
    return this.userScope ? { kind: 'user', username: user.username, userId: user.id } : undefined;
  }

  /**
   * An active admin with this username and password (or any active user when a user scope is set),
   * from the cache while the stored hash is unchanged.
   */
  private async identifyAdmin(username: string, password: string): Promise<MqttIdentity | undefined> {
    const cachedHash = this.verified.hashVerifiedFor(username, password);
    if (cachedHash !== undefined) {
      const user = await this.storage.findUserForLogin(username);
      if (user && user.isActive && user.passwordHash === cachedHash) {
        const who = this.asIdentity(user);
        if (who) return who;
      }
      this.verified.forget(username, password);
    }
    this.onPasswordCheck();
    const user = await this.auth.verifyCredentials(username, password);
    const who = user && this.asIdentity(user);
    if (!user || !who) return undefined;
    this.verified.remember(username, password, user.passwordHash);
    return who;
  }

  /** Whether `who` may publish to `topic`. */
  mayPublish(who: MqttIdentity, topic: string): boolean {
    if (who.kind === 'admin') return true;
    // A user's publish is decided by the user scope (async, per device) in the broker's hook.
    if (who.kind === 'user') return this.userScope?.handles(topic) ?? false;
    const parsed = this.topics.parse(topic);
    return parsed !== undefined && parsed.deviceId === who.deviceId && DEVICE_PUBLISH_KINDS.includes(parsed.kind);
  }

  /** Whether `who` may subscribe to `filter` (wildcards and $SYS are admin-only). */
  maySubscribe(who: MqttIdentity, filter: string): boolean {
    if (who.kind === 'admin') return true;
    if (who.kind === 'user') return this.userScope?.maySubscribe(filter) ?? false;
    if (filter.includes('+') || filter.includes('#') || filter.startsWith('$')) return false;
    const parsed = this.topics.parse(filter);
    return parsed !== undefined && parsed.deviceId === who.deviceId && DEVICE_SUBSCRIBE_KINDS.includes(parsed.kind);
  }
}

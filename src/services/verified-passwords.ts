// Admin MQTT credentials already verified, so a reconnecting admin client does not pay an argon2
// check (60-250 ms) on every CONNECT. Only successes are kept, for a short time, keyed by username
// and an HMAC of the password under a key made at start (the password itself is never kept). Each
// entry remembers the password hash it was verified against: a hit counts only while the stored user
// still has that hash and is active, so a password change or reset, a deactivation or a deletion
// ends it at once, on every node.
import { createHmac, randomBytes } from 'node:crypto';

interface Entry {
  passwordHash: string;
  expires: number;
}

export class VerifiedPasswords {
  private readonly hmacKey = randomBytes(32);
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 1000,
  ) {}

  private entryKey(username: string, password: string): string {
    return createHmac('sha256', this.hmacKey).update(username).update('\u0000').update(password).digest('base64');
  }

  /** The password hash `password` was verified against for `username`, while the entry lasts. */
  hashVerifiedFor(username: string, password: string): string | undefined {
    const key = this.entryKey(username, password);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.passwordHash;
  }

  remember(username: string, password: string, passwordHash: string): void {
    const key = this.entryKey(username, password);
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { passwordHash, expires: Date.now() + this.ttlMs });
  }

  forget(username: string, password: string): void {
    this.entries.delete(this.entryKey(username, password));
  }
}

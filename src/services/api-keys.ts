// Device API keys: 32 random bytes shown once, stored as SHA-256. A high-entropy key needs no slow
// hash; verified keys are cached so the hot ingest path costs a Map lookup, not a query.
import { createHash, randomBytes } from 'node:crypto';
import type { Storage } from '../storage/storage.ts';

const PREFIX = 'fgk_';

export function generateApiKey(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

interface CacheEntry {
  deviceId: string;
  expires: number;
}

export class ApiKeyVerifier {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly keyOfDevice = new Map<string, string>();

  constructor(
    private readonly storage: Storage,
    private readonly ttlMs = 300_000,
    private readonly maxEntries = 100_000,
  ) {}

  /** The device id the key belongs to, or undefined. */
  async deviceFor(key: string | undefined): Promise<string | undefined> {
    if (!key || key.length > 200) return undefined;
    const cached = this.cachedDeviceFor(key);
    if (cached !== undefined) return cached;
    const found = await this.storage.findDeviceByKeyHash(hashApiKey(key));
    if (!found) return undefined;
    if (this.cache.size >= this.maxEntries) this.evictOldest();
    this.cache.set(key, { deviceId: found.id, expires: Date.now() + this.ttlMs });
    this.keyOfDevice.set(found.id, key);
    return found.id;
  }

  /** The device id of a key verified lately (the cache only), or undefined: then ask deviceFor. */
  cachedDeviceFor(key: string): string | undefined {
    const hit = this.cache.get(key);
    return hit && hit.expires > Date.now() ? hit.deviceId : undefined;
  }

  /** Forgets a device's cached key (after rotation or deletion). */
  forget(deviceId: string): void {
    const key = this.keyOfDevice.get(deviceId);
    if (key !== undefined) this.cache.delete(key);
    this.keyOfDevice.delete(deviceId);
  }

  private evictOldest(): void {
    const oldest = this.cache.keys().next();
    if (!oldest.done) {
      const entry = this.cache.get(oldest.value);
      this.cache.delete(oldest.value);
      if (entry) this.keyOfDevice.delete(entry.deviceId);
    }
  }
}

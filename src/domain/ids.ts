import { randomBytes } from 'node:crypto';

/** Device ids are user-chosen or generated: 1–64 characters of `[A-Za-z0-9._-]`. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** Words that name device-side endpoints under /devices/ and so cannot be device ids. */
export const RESERVED_DEVICE_IDS = new Set(['.', '..', 'status', 'config', 'heartbeat', 'register', 'credentials', 'commands', 'state', 'summary']);

export function isValidDeviceId(id: string): boolean {
  return DEVICE_ID_PATTERN.test(id) && !RESERVED_DEVICE_IDS.has(id);
}

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** A short random id with a readable prefix, e.g. `dev-k3m9x2q7hw`. */
export function generateId(prefix: string, length = 12): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return `${prefix}-${out}`;
}

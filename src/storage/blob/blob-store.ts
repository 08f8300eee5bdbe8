// The blob-store port: bytes by key, nothing else (metadata lives in the Storage port). Two
// drivers implement it, local-blob-store.ts and s3-blob-store.ts, chosen by config in
// open-blob-store.ts; both pass the one contract suite in test/storage/blob-store-contract.ts.
import type { Readable } from 'node:stream';

export interface BlobStore {
  readonly driver: 'local' | 's3';
  /** Stores the bytes under `key`, replacing any; durable when the promise resolves. */
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The bytes as a stream, or undefined when there is no such blob. */
  get(key: string): Promise<Readable | undefined>;
  /** Removes the blob; removing a missing blob is not an error. */
  delete(key: string): Promise<void>;
  /** Removes every blob whose key starts with `prefix` (which ends with "/"); returns how many. */
  deletePrefix(prefix: string): Promise<number>;
  /** Keys under `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const SEGMENT = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Keys are "/"-separated segments of [A-Za-z0-9._-], never "." or "..": the services build them
 * from ids, and every driver checks them again so no key can leave its root.
 */
export function checkBlobKey(key: string, { prefix = false } = {}): string {
  const body = prefix ? key.replace(/\/$/, '') : key;
  if (prefix && !key.endsWith('/')) throw new Error(`blob prefix "${key}" must end with "/"`);
  const segments = body.split('/');
  if (key.length > 512 || segments.some((s) => !SEGMENT.test(s) || s === '.' || s === '..')) {
    throw new Error(`"${key.slice(0, 80)}" is not a valid blob ${prefix ? 'prefix' : 'key'}`);
  }
  return key;
}

// Whether the real Redis the shared-limit tests need is there (REDIS_URL or 127.0.0.1:6379).
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let check: Promise<string | undefined> | undefined;

async function tryRedis(): Promise<string | undefined> {
  const client = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    client.disconnect();
  }
}

/** `undefined` when Redis answers; else the reason to skip, or a throw under CI=true. */
export async function redisSkipReason(): Promise<string | undefined> {
  check ??= tryRedis();
  const problem = await check;
  if (problem === undefined) return undefined;
  const message = `Redis not reachable at ${TEST_REDIS_URL} (${problem})`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI=true requires it`);
  console.warn(`SKIP: ${message}`);
  return `SKIP: ${message}`;
}

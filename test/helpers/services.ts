// Which real services the tests may use. Each is used where present; when one is missing a test
// says plainly that it skips, except under CI=true, where a missing service fails the run.
import { existsSync } from 'node:fs';
import { portOpen } from '../../scripts/cluster/processes.ts';
import pg from 'pg';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const inCi = process.env.CI === 'true';

async function tryPostgres(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

let postgresCheck: Promise<string | undefined> | undefined;

/**
 * `undefined` when PostgreSQL is reachable, else the reason to skip. Under CI=true a missing
 * PostgreSQL throws instead, so CI cannot pass by skipping.
 */
export async function postgresSkipReason(): Promise<string | undefined> {
  postgresCheck ??= tryPostgres();
  const problem = await postgresCheck;
  if (problem === undefined) return undefined;
  const message = `PostgreSQL not reachable at ${TEST_DATABASE_URL} (${problem})`;
  if (inCi) throw new Error(`${message}; CI=true requires it`);
  console.warn(`SKIP: ${message}`);
  return `SKIP: ${message}`;
}

/** A fresh schema name for one test run against the shared `test` database. */
export function uniqueSchema(prefix = 't'): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** True when something accepts TCP connections at host:port. */
export { portOpen };

/** `undefined` when Mosquitto answers on 127.0.0.1:1883, else the reason to skip (throws under CI=true). */
export async function mosquittoSkipReason(): Promise<string | undefined> {
  if (await portOpen(1883)) return undefined;
  const message = 'Mosquitto not reachable at 127.0.0.1:1883';
  if (inCi) throw new Error(`${message}; CI=true requires it`);
  console.warn(`SKIP: ${message}`);
  return `SKIP: ${message}`;
}

/** `undefined` when Debian's mosquitto_pub/mosquitto_sub are installed, else the reason to skip (throws under CI=true). */
export function mosquittoClientsSkipReason(): string | undefined {
  const found = ['mosquitto_pub', 'mosquitto_sub'].every((bin) =>
    (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(`${dir}/${bin}`)),
  );
  if (found) return undefined;
  const message = 'mosquitto_pub/mosquitto_sub not installed (apt-get install mosquitto-clients)';
  if (inCi) throw new Error(`${message}; CI=true requires them`);
  console.warn(`SKIP: ${message}`);
  return `SKIP: ${message}`;
}

export const TEST_AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** `undefined` when RabbitMQ answers on 127.0.0.1:5672, else the reason to skip (throws under CI=true). */
export async function rabbitmqSkipReason(): Promise<string | undefined> {
  if (await portOpen(Number(new URL(TEST_AMQP_URL).port || 5672), new URL(TEST_AMQP_URL).hostname)) return undefined;
  const message = `RabbitMQ not reachable at ${TEST_AMQP_URL}`;
  if (inCi) throw new Error(`${message}; CI=true requires it`);
  console.warn(`SKIP: ${message}`);
  return `SKIP: ${message}`;
}

// Storage opened directly (no HTTP) for raw limits and bulk loads: SQLite in a fresh temporary
// folder, or PostgreSQL (TEST_DATABASE_URL) in a schema of its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PostgresStorage } from '../../src/storage/postgres/postgres-storage.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.ts';
import type { Storage } from '../../src/storage/storage.ts';
import { hardwareLine } from './hardware.ts';

export const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface RawStorage {
  storage: Storage;
  /** PostgreSQL URL when kind is postgres. */
  url?: string;
  close(): Promise<void>;
  dropSchema(schema: string): Promise<void>;
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** Why PostgreSQL cannot be used, or undefined when it can. */
export async function postgresProblem(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return `PostgreSQL not reachable at ${DATABASE_URL} (${(err as Error).message})`;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Runs `bench` for each storage the `--storage` flag names (sqlite, postgres or both) and returns
 * their rows; PostgreSQL is skipped, saying why, when it cannot be reached.
 */
export async function benchEachStorage<Row>(flag: string | undefined, bench: (kind: 'sqlite' | 'postgres') => Promise<Row>): Promise<Row[]> {
  const kinds: Array<'sqlite' | 'postgres'> = flag === 'both' ? ['sqlite', 'postgres'] : [flag === 'postgres' ? 'postgres' : 'sqlite'];
  const rows: Row[] = [];
  for (const kind of kinds) {
    const problem = kind === 'postgres' ? await postgresProblem() : undefined;
    if (problem) console.log(`SKIP postgres: ${problem}`);
    else rows.push(await bench(kind));
  }
  return rows;
}

export async function openRawStorage(kind: 'sqlite' | 'postgres'): Promise<RawStorage> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'fluxgate-raw-'));
    // No background compaction: it would run on this process's event loop, beside the load generator.
    const storage = new SqliteStorage(path.join(dir, 'fluxgate.db'), { compactEveryMs: 0 });
    await storage.migrate();
    return {
      storage,
      close: async () => {
        await storage.close();
        rmSync(dir, { recursive: true, force: true });
      },
      dropSchema: async () => {},
    };
  }
  const problem = await postgresProblem();
  if (problem) throw new Error(problem);
  const schema = `bench_raw_${process.pid}_${Date.now().toString(36)}`;
  const storage = new PostgresStorage(DATABASE_URL, schema, 0);
  await storage.migrate();
  return {
    storage,
    url: DATABASE_URL,
    close: async () => {
      await storage.close();
      await dropSchema(schema);
    },
    dropSchema,
  };
}

export function printHardware(what: string): void {
  console.log(`${what}\nmachine: ${hardwareLine()}`);
}

/** Creates an owner and the given devices: writePoints stores points only for devices that exist. */
export async function registerRawDevices(raw: RawStorage, ids: readonly string[]): Promise<void> {
  const owner = await raw.storage.createUser({
    id: 'bench-owner',
    username: 'bench-owner',
    email: null,
    passwordHash: 'not-a-login',
    role: 'user',
    isActive: true,
  });
  for (const id of ids) {
    await raw.storage.createDevice({
      id,
      name: id,
      description: null,
      deviceType: 'bench',
      location: null,
      firmwareVersion: null,
      hardwareVersion: null,
      status: 'active',
      metadata: {},
      config: {},
      ownerId: owner.id,
      apiKeyHash: `bench-key-${id}`,
    });
  }
}

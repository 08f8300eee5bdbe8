// The storage contract against PostgreSQL: every group runs in a schema of its own, dropped afterwards.
// Without a reachable server the suite is skipped with the reason (under CI=true it fails instead).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { PostgresStorage } from '../../src/storage/postgres/postgres-storage.ts';
import { TEST_DATABASE_URL, dropSchema, postgresSkipReason, uniqueSchema } from '../helpers/services.ts';
import { type StorageFixture, compactedTelemetryContract, storageContract } from './storage-contract.ts';

const skip = await postgresSkipReason();

function openPostgres(): StorageFixture {
  const schema = uniqueSchema('contract');
  const storage = new PostgresStorage(TEST_DATABASE_URL, schema);
  return {
    storage,
    openAnother: async () => new PostgresStorage(TEST_DATABASE_URL, schema),
    cleanup: async () => {
      await storage.close();
      await dropSchema(schema);
    },
  };
}

storageContract('postgres', async () => openPostgres(), { skip });
compactedTelemetryContract('postgres', async () => openPostgres(), { skip });

describe('postgres durability', { skip: skip ?? false }, () => {
  let fixture: StorageFixture;
  before(async () => {
    fixture = openPostgres();
    await fixture.storage.migrate();
  });
  after(() => fixture.cleanup());

  it('runs its sessions with synchronous_commit=on in its own schema', async () => {
    const pool: unknown = Reflect.get(fixture.storage, 'pool');
    assert.ok(pool instanceof pg.Pool, 'PostgresStorage keeps its pg pool in `pool`');
    const { rows } = await pool.query<{ sc: string; schema: string }>('SELECT current_setting($1) AS sc, current_schema() AS schema', [
      'synchronous_commit',
    ]);
    assert.strictEqual(rows[0]?.sc, 'on');
    assert.match(rows[0]?.schema ?? '', /^contract_/);
  });

  it('close() ends its connection pool, also when only raw statements ran', async () => {
    const storage = await fixture.openAnother();
    await storage.ping();
    const pool: unknown = Reflect.get(storage, 'pool');
    assert.ok(pool instanceof pg.Pool);
    assert.strictEqual(pool.totalCount, 1);
    await storage.close();
    assert.strictEqual(pool.ended, true);
    assert.strictEqual(pool.totalCount, 0);
  });
});

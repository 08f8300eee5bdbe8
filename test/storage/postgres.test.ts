// The storage contract against PostgreSQL: every group runs in a schema of its own, dropped afterwards.
// Without a reachable server the suite is skipped with the reason (under CI=true it fails instead).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { PostgresStorage } from '../../src/storage/postgres/postgres-storage.ts';
import { TEST_DATABASE_URL, dropSchema, postgresSkipReason, uniqueSchema } from '../helpers/services.ts';
import { makeDevice } from './contract/builders.ts';
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

describe('postgres chunk layout across nodes', { skip: skip ?? false }, () => {
  let fixture: StorageFixture;
  let other: PostgresStorage;
  const schema = () => Reflect.get(fixture.storage, 'schema') as string;
  before(async () => {
    fixture = openPostgres();
    await fixture.storage.migrate();
    await makeDevice(fixture.storage, { id: 'd1' });
    other = (await fixture.openAnother()) as PostgresStorage;
  });
  after(async () => {
    await other.close();
    await fixture.cleanup();
  });

  it('stores each timestamp of a series once when two nodes write and compact it at the same time', async () => {
    const fields = ['a', 'b', 'c', 'd'];
    // Overlapping spans reaching back into stored time; the nodes list the series in opposite orders.
    const batch = (round: number, value: number, order: readonly string[]) =>
      order.flatMap((field) => Array.from({ length: 30 }, (_, i) => ({ deviceId: 'd1', field, ts: 1000 + round * 10 + i, value, meta: null })));
    let inserted = 0;
    for (let round = 0; round < 12; round++) {
      const [x, y] = await Promise.all([
        fixture.storage.writePoints(batch(round, 1, fields)),
        other.writePoints(batch(round, 2, [...fields].reverse())),
        round % 3 === 0 ? fixture.storage.compact() : other.compact(),
      ]);
      inserted += x.inserted + y.inserted;
    }
    const span = 11 * 10 + 30;
    assert.strictEqual(inserted, fields.length * span);
    const stored = await fixture.storage.queryPoints({ deviceId: 'd1', start: 0, end: 10_000, order: 'asc', limit: 100_000 });
    assert.strictEqual(stored.length, fields.length * span);
    assert.strictEqual(new Set(stored.map((p) => `${p.field} ${p.ts}`)).size, stored.length);
    for (const field of fields) {
      const hours = await other.readRollups({ deviceId: 'd1', field, granularity: 'hour', start: 0, end: 3_600_000 });
      assert.strictEqual(hours[0]?.count, span, `hour rollup of ${field} counts each point once`);
    }
  });

  it('stores each timestamp once when two nodes append the same new points at once', async () => {
    // Both nodes know the series, so both try the one-statement append; the one that waits for the
    // other's lock must find the series' newest point moved past its batch and take the full write.
    await makeDevice(fixture.storage, { id: 'd2' });
    const batch = (from: number, value: number) => ['a', 'b'].flatMap((field) => Array.from({ length: 20 }, (_, i) => ({ deviceId: 'd2', field, ts: from + i, value, meta: null })));
    await fixture.storage.writePoints(batch(0, 0));
    await other.writePoints(batch(20, 0));
    let inserted = 0;
    for (let round = 0; round < 15; round++) {
      const from = 100 + round * 20;
      const [x, y] = await Promise.all([fixture.storage.writePoints(batch(from, 1)), other.writePoints(batch(from, 2))]);
      assert.strictEqual(x.inserted + y.inserted, 40, `round ${round}: each point stored by exactly one node`);
      inserted += x.inserted + y.inserted;
    }
    const stored = await other.queryPoints({ deviceId: 'd2', start: 100, end: 10_000, order: 'asc', limit: 100_000 });
    assert.strictEqual(stored.length, inserted);
    assert.strictEqual(new Set(stored.map((p) => `${p.field} ${p.ts}`)).size, stored.length);
    const hours = await fixture.storage.readRollups({ deviceId: 'd2', field: 'a', granularity: 'hour', start: 0, end: 3_600_000 });
    assert.strictEqual(hours[0]?.count, 40 + 15 * 20, 'the hour rollup counts each point once');
    const latest = await other.latestPoints('d2');
    assert.deepStrictEqual(latest.map((p) => p.ts), [399, 399]);
  });

  it('skips a compaction step while another node holds the compaction lock', async () => {
    await fixture.storage.writePoints([{ deviceId: 'd1', field: 'a', ts: 5000, value: 1, meta: null }]);
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1::int4, hashtext($2))', [0x46434d50, schema()]);
      assert.deepStrictEqual(await other.compact(), { movedPoints: 0, mergedWindows: 0 });
      assert.ok((await other.chunkStats()).backlog > 0);
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
    assert.ok((await other.compact()).mergedWindows > 0);
    assert.strictEqual((await other.chunkStats()).backlog, 0);
  });
});

// Upgrading keeps data on PostgreSQL too: a schema written before the chunk layout (version 13, one row
// per point; test/storage/fixtures/layout-v13/postgres.sql, a pg_dump of the data the SQLite fixture
// holds, written by 3f3babf) gives the answers of expected.json after today's code migrates it, while
// its points still sit in the old table, and again once compaction has moved them into chunks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { PostgresStorage } from '../../src/storage/postgres/postgres-storage.ts';
import { TEST_DATABASE_URL, dropSchema, postgresSkipReason, uniqueSchema } from '../helpers/services.ts';
import { assertFixtureAnswers, assertLatePointCounted, assertReopenedLatest, assertRepeatsRefused } from './layout-fixture-queries.ts';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'layout-v13');
const expected = JSON.parse(readFileSync(path.join(FIXTURE, 'expected.json'), 'utf8')) as Record<string, unknown>;
/** The schema the dump was taken from (make-layout-v13-fixture.ts --postgres). */
const DUMPED_SCHEMA = 'layout_v13';
const skip = await postgresSkipReason();

/** Loads the dump into `schema` with psql (the dump's data is COPY ... FROM stdin). */
function loadDump(schema: string): void {
  const dump = readFileSync(path.join(FIXTURE, 'postgres.sql'), 'utf8').replace(new RegExp(`\\b${DUMPED_SCHEMA}\\b`, 'g'), schema);
  execFileSync('psql', [TEST_DATABASE_URL, '-q', '-v', 'ON_ERROR_STOP=1', '-f', '-'], { input: dump, stdio: ['pipe', 'ignore', 'pipe'] });
}

describe('storage layout upgrade (PostgreSQL, schema version 13 to chunks)', { skip: skip ?? false }, () => {
  const schema = uniqueSchema('upgrade');
  let storage: PostgresStorage;
  let client: pg.Client;
  let pointsBefore: number;
  const count = async (sql: string) => Number((await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${schema}.${sql}`)).rows[0]!.n);

  before(async () => {
    loadDump(schema);
    client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    // Counted before migrate(): background compaction may start moving points right after it.
    pointsBefore = await count('points');
    storage = new PostgresStorage(TEST_DATABASE_URL, schema);
    await storage.migrate();
  });
  after(async () => {
    await storage?.close();
    await client?.end();
    await dropSchema(schema);
  });

  it('starts from points in the old one-row-per-point table', () => {
    assert.ok(pointsBefore > 800, `${pointsBefore} points`);
  });

  it('answers as version 13 did while the points are still in the old table', async () => {
    await assertFixtureAnswers(storage, expected);
  });

  it('refuses duplicates of the old table points and stores new ones beside them', async () => {
    await assertRepeatsRefused(storage, expected);
  });

  it('moves every point into chunks and still answers the same', async () => {
    await storage.compact();
    assert.strictEqual(await count('points'), 0);
    const chunked = Number((await client.query<{ n: string }>(`SELECT SUM(count) AS n FROM ${schema}.chunks`)).rows[0]!.n);
    assert.strictEqual(chunked, pointsBefore, 'every point of the old table is in a chunk');
    assert.strictEqual(await count('rollup_minute'), 0, 'minute rollups are computed from chunks now');
    assert.strictEqual(await count('chunks WHERE level < 2'), 0, 'every window of 2026 is closed and merged');
    assert.deepStrictEqual(await storage.chunkStats(), { chunks: await count('chunks'), backlog: 0, oldLayoutPoints: 0 });
    await assertFixtureAnswers(storage, expected);
    await assertReopenedLatest(new PostgresStorage(TEST_DATABASE_URL, schema), expected);
  });

  it('writes late points into a merged window and counts them in the rollups', async () => {
    await assertLatePointCounted(storage);
  });
});

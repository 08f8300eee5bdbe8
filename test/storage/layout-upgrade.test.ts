// Upgrading keeps data: a SQLite database written before the chunk layout (schema version 13, one
// row per point; test/storage/fixtures/layout-v13, made by 3f3babf) gives the same answers after
// today's code migrates it, while its points still sit in the old table, and again once compaction
// has moved them into chunks.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.ts';
import { assertFixtureAnswers, assertLatePointCounted, assertReopenedLatest, assertRepeatsRefused } from './layout-fixture-queries.ts';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'layout-v13');
const expected = JSON.parse(readFileSync(path.join(FIXTURE, 'expected.json'), 'utf8')) as Record<string, unknown>;

function count(file: string, sql: string): number {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

describe('storage layout upgrade (SQLite, schema version 13 to chunks)', () => {
  let dir: string;
  let file: string;
  let storage: SqliteStorage;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-upgrade-'));
    file = path.join(dir, 'fluxgate.db');
    copyFileSync(path.join(FIXTURE, 'fluxgate.db'), file);
    storage = new SqliteStorage(file, { writerThread: true, compactEveryMs: 0 });
    await storage.migrate();
  });
  after(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts from points in the old one-row-per-point table', () => {
    assert.ok(count(file, 'SELECT COUNT(*) FROM points') > 800);
  });

  it('answers as version 13 did while the points are still in the old table', async () => {
    await assertFixtureAnswers(storage, expected);
  });

  it('refuses duplicates of the old table points and stores new ones beside them', async () => {
    await assertRepeatsRefused(storage, expected);
  });

  it('moves every point into chunks and still answers the same', async () => {
    const result = await storage.compact();
    assert.ok(result.movedPoints > 800, `moved ${result.movedPoints}`);
    assert.strictEqual(count(file, 'SELECT COUNT(*) FROM points'), 0);
    assert.strictEqual(count(file, 'SELECT COUNT(*) FROM rollup_minute'), 0, 'minute rollups are computed from chunks now');
    assert.strictEqual(count(file, 'SELECT COUNT(*) FROM chunks WHERE level < 2'), 0, 'every window of 2026 is closed and merged');
    await assertFixtureAnswers(storage, expected);
    await assertReopenedLatest(new SqliteStorage(file, { writerThread: false }), expected);
  });

  it('writes late points into a merged window and counts them in the rollups', async () => {
    await assertLatePointCounted(storage);
  });
});

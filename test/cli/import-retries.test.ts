// `fluxgate import` against a platform that refuses for a while (429 with Retry-After): it waits,
// retries, and imports every row.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startPlatform, type TestPlatform } from '../helpers/platform.ts';
import { runImport, storedPoints, writeFixture } from './import-fixtures.ts';

describe('fluxgate import when the platform says "later"', () => {
  let tp: TestPlatform;
  let dir: string;
  before(async () => {
    tp = await startPlatform('sqlite', { RATE_LIMIT_INGEST: '1/5' });
    dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-import-retry-'));
  });
  after(async () => {
    await tp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a rate-limited batch is retried after Retry-After and every row lands', async () => {
    const key = (await tp.newDevice(await tp.adminToken(), { id: 'slow', name: 'slow' })).api_key;
    const end = Date.now() - 600_000;
    const rows = [0, 1, 2].map((i) => `${new Date(end - i * 60_000).toISOString()},${i}`);
    const file = writeFixture(dir, 'slow.csv', ['timestamp,level', ...rows]);
    const run = await runImport([file, '--url', tp.baseUrl, '--device', 'slow', '--key', key, '--batch-size', '1', '--no-progress']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /imported 3 rows/);
    assert.match(run.stdout, /\d+ requests were retried/);
    assert.deepStrictEqual((await storedPoints(tp, 'slow', key)).map((p) => p.value).sort(), [0, 1, 2]);
  });

  test('retries run out: exit 4 naming the refusal', async () => {
    const key = (await tp.newDevice(await tp.adminToken(), { id: 'slower', name: 'slower' })).api_key;
    const end = Date.now() - 600_000;
    const file = writeFixture(dir, 'slower.csv', ['timestamp,level', ...[0, 1].map((i) => `${new Date(end - i * 60_000).toISOString()},${i}`)]);
    const run = await runImport([file, '--url', tp.baseUrl, '--device', 'slower', '--key', key, '--batch-size', '1', '--retries', '0', '--no-progress']);
    assert.equal(run.code, 4, run.stdout + run.stderr);
    assert.match(run.stderr, /stayed busy \(429/);
  });
});

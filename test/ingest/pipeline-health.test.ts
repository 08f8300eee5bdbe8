// The ingest health flag: a failed commit makes ingest unhealthy, a successful one heals it, and so
// does time, so a node pulled out of a load balancer for a failure can come back without traffic.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_LIMITS, type Point } from '../../src/domain/telemetry.ts';
import { IngestPipeline } from '../../src/ingest/ingest-pipeline.ts';
import { EventBus } from '../../src/services/event-bus.ts';
import { Metrics } from '../../src/services/metrics.ts';
import { Presence } from '../../src/services/presence.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.ts';

describe('ingest pipeline health', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-pipeline-'));
  const storage = new SqliteStorage(path.join(dir, 'fluxgate.db'));
  let failing = false;
  const commit = async (points: readonly Point[]) => {
    if (failing) throw new Error('disk full');
    return { inserted: points.length, duplicates: 0 };
  };
  const pipeline = new IngestPipeline(commit, new EventBus(), new Presence(storage, 60_000), new Metrics(), {
    maxBatchPoints: 100,
    maxPendingPoints: 1000,
    limits: DEFAULT_LIMITS,
    unhealthyForMs: 30_000,
  });
  before(() => storage.migrate());
  after(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is unhealthy after a failed commit for unhealthyForMs, then healthy again', async () => {
    assert.deepEqual(pipeline.health(), { ok: true, pendingPoints: 0 });
    failing = true;
    await assert.rejects(pipeline.ingest('d1', { t: 1 }), { code: 'STORAGE_UNAVAILABLE' });
    const now = Date.now();
    assert.deepEqual(pipeline.health(now), { ok: false, pendingPoints: 0, lastError: 'disk full' });
    assert.equal(pipeline.health(now + 29_000).ok, false);
    assert.deepEqual(pipeline.health(now + 31_000), { ok: true, pendingPoints: 0 });
  });

  it('is healthy at once after a successful commit', async () => {
    failing = true;
    await assert.rejects(pipeline.ingest('d1', { t: 2 }));
    assert.equal(pipeline.health().ok, false);
    failing = false;
    assert.equal(await pipeline.ingest('d1', { t: 3 }), 1);
    assert.deepEqual(pipeline.health(), { ok: true, pendingPoints: 0 });
  });
});

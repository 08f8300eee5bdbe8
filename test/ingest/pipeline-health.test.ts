// The ingest health flag: a failed commit makes ingest unhealthy, a successful one heals it, and so
// does time, so a node pulled out of a load balancer for a failure can come back without traffic.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Point } from '../../src/domain/telemetry.ts';
import { testPipeline } from '../helpers/pipeline.ts';

describe('ingest pipeline health', () => {
  let failing = false;
  const { pipeline, open, close } = testPipeline(async (points: readonly Point[]) => {
    if (failing) throw new Error('disk full');
    return { inserted: points.length, duplicates: 0 };
  });
  before(open);
  after(close);

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

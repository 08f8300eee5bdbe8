// An IngestPipeline over a given commit function, with real presence on a fresh SQLite file (the
// pipeline marks devices seen after each commit): for tests of the pipeline's own rules.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_LIMITS } from '../../src/domain/telemetry.ts';
import { type CommitFn, IngestPipeline, type PipelineOptions } from '../../src/ingest/ingest-pipeline.ts';
import { EventBus } from '../../src/services/event-bus.ts';
import { Metrics } from '../../src/services/metrics.ts';
import { Presence } from '../../src/services/presence.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.ts';

export function testPipeline(commit: CommitFn, options: Partial<PipelineOptions> = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-pipeline-'));
  const storage = new SqliteStorage(path.join(dir, 'fluxgate.db'));
  const pipeline = new IngestPipeline(commit, new EventBus(), new Presence(storage, 60_000), new Metrics(), {
    maxBatchPoints: 100,
    maxPendingPoints: 1000,
    limits: DEFAULT_LIMITS,
    unhealthyForMs: 30_000,
    ...options,
  });
  return {
    pipeline,
    open: () => storage.migrate(),
    async close() {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

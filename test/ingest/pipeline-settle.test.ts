// ingestThen, the callback form MQTT uses: every message is settled exactly once — a refused payload
// at once, an accepted one only after the group commit that holds it, all of a failed commit with
// STORAGE_UNAVAILABLE — and one commit takes the messages of a turn together.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Point } from '../../src/domain/telemetry.ts';
import { testPipeline } from '../helpers/pipeline.ts';

/** `code` is the FluxgateError code, or the error's name for a refused payload (InvalidInputError). */
type Settled = Array<{ id: number; code: string | undefined; count: number }>;

describe('ingest pipeline: ingestThen', () => {
  const commits: Point[][] = [];
  let release: (() => void) | undefined;
  let failing = false;
  const commit = async (points: readonly Point[]) => {
    commits.push([...points]);
    await new Promise<void>((resolve) => (release = resolve));
    if (failing) throw new Error('disk full');
    return { inserted: points.length, duplicates: 0 };
  };
  const { pipeline, open, close } = testPipeline(commit, { maxPendingPoints: 5 });
  before(open);
  after(close);

  const send = (settled: Settled, id: number, payload: unknown) =>
    pipeline.ingestThen('d1', payload, (err, count) => settled.push({ id, code: err === undefined ? undefined : ((err as { code?: string }).code ?? (err as Error).name), count }));

  async function commitStarted(): Promise<void> {
    while (release === undefined) await new Promise((r) => setImmediate(r));
  }

  it('refuses a bad payload at once and settles the others after their one commit', async () => {
    const settled: Settled = [];
    send(settled, 1, { a: 1, b: 2 });
    send(settled, 2, { a: 'x'.repeat(2000) });
    send(settled, 3, { c: 3 });
    assert.deepEqual(settled, [{ id: 2, code: 'InvalidInputError', count: 0 }]);
    await commitStarted();
    assert.equal(commits.length, 1);
    assert.deepEqual(commits[0]!.map((p) => p.field), ['a', 'b', 'c']);
    assert.equal(settled.length, 1, 'nothing accepted is settled before its commit');
    release!();
    release = undefined;
    await pipeline.drain();
    assert.deepEqual(settled.slice(1), [
      { id: 1, code: undefined, count: 2 },
      { id: 3, code: undefined, count: 1 },
    ]);
  });

  it('refuses beyond maxPendingPoints at once and settles a failed commit with STORAGE_UNAVAILABLE', async () => {
    const settled: Settled = [];
    failing = true;
    send(settled, 1, { a: 1, b: 2, c: 3 });
    send(settled, 2, { d: 4, e: 5, f: 6 });
    assert.deepEqual(settled, [{ id: 2, code: 'INGEST_OVERLOADED', count: 0 }]);
    await commitStarted();
    release!();
    release = undefined;
    await pipeline.drain();
    assert.deepEqual(settled.slice(1), [{ id: 1, code: 'STORAGE_UNAVAILABLE', count: 0 }]);
    failing = false;
  });
});

// The background compaction loop yields to ingest: while writes arrive, each step is followed by a
// pause of three times its length; when ingest is quiet the steps run back to back. Only lower
// bounds on time are asserted (a timer never fires early), so a slow machine cannot fail it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompactionLoop, pauseAfterStep } from '../../src/storage/chunks/compaction-loop.ts';
import type { CompactionStep } from '../../src/storage/storage.ts';

const STEP_MS = 15;

/** A loop whose steps each take STEP_MS of CPU and report more work until `steps` have run. */
function recordingLoop(steps: number, busy: () => boolean) {
  const starts: number[] = [];
  const ends: number[] = [];
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const loop = new CompactionLoop(
    async (): Promise<CompactionStep> => {
      starts.push(performance.now());
      const until = performance.now() + STEP_MS;
      while (performance.now() < until);
      ends.push(performance.now());
      const more = starts.length < steps;
      if (!more) finished();
      return { movedPoints: 0, mergedWindows: 1, more };
    },
    5,
    busy,
  );
  // The loop's timer does not hold the process open (a server's does): this one does, until the end.
  const alive = setInterval(() => {}, 1000);
  return { loop, starts, ends, done: done.finally(() => clearInterval(alive)) };
}

describe('compaction loop', () => {
  it('pauses three step-lengths after each step while ingest is busy', async () => {
    const { loop, starts, ends, done } = recordingLoop(4, () => true);
    loop.start();
    await done;
    await loop.stop();
    for (let i = 1; i < starts.length; i++) {
      const took = ends[i - 1]! - starts[i - 1]!;
      assert.ok(starts[i]! - ends[i - 1]! >= 3 * took - 2, `gap ${i}: ${(starts[i]! - ends[i - 1]!).toFixed(1)} ms after a ${took.toFixed(1)} ms step`);
    }
  });

  it('runs the steps back to back when ingest is quiet', async () => {
    const { loop, starts, done } = recordingLoop(4, () => false);
    loop.start();
    await done;
    await loop.stop();
    assert.equal(starts.length, 4);
    assert.equal(pauseAfterStep(STEP_MS, false), 0);
    assert.equal(pauseAfterStep(STEP_MS, true), 3 * STEP_MS);
  });
});

// The background compaction loop yields to ingest: during a short burst of writes it does not step;
// while writes go on longer, each step is followed by a pause of three times its length; when ingest
// is quiet the steps run back to back. Only lower bounds on time are asserted (a timer never fires
// early), so a slow machine cannot fail it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BURST_GRACE_MS, CompactionLoop, type IngestActivity, RecentWrites, pauseAfterStep } from '../../src/storage/chunks/compaction-loop.ts';
import type { CompactionStep } from '../../src/storage/storage.ts';

const STEP_MS = 15;

/** A loop whose steps each take STEP_MS of CPU and report more work until `steps` have run. */
function recordingLoop(steps: number, ingest: IngestActivity) {
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
    ingest,
  );
  // The loop's timer does not hold the process open (a server's does): this one does, until the end.
  const alive = setInterval(() => {}, 1000);
  return { loop, starts, ends, done: done.finally(() => clearInterval(alive)) };
}

describe('compaction loop', () => {
  it('pauses three step-lengths after each step while ingest is busy', async () => {
    const { loop, starts, ends, done } = recordingLoop(4, { busy: () => true, inShortBurst: () => false });
    loop.start();
    await done;
    await loop.stop();
    for (let i = 1; i < starts.length; i++) {
      const took = ends[i - 1]! - starts[i - 1]!;
      assert.ok(starts[i]! - ends[i - 1]! >= 3 * took - 2, `gap ${i}: ${(starts[i]! - ends[i - 1]!).toFixed(1)} ms after a ${took.toFixed(1)} ms step`);
    }
  });

  it('runs the steps back to back when ingest is quiet', async () => {
    const { loop, starts, done } = recordingLoop(4, { busy: () => false, inShortBurst: () => false });
    loop.start();
    await done;
    await loop.stop();
    assert.equal(starts.length, 4);
    assert.equal(pauseAfterStep(STEP_MS, false), 0);
    assert.equal(pauseAfterStep(STEP_MS, true), 3 * STEP_MS);
  });

  it('does not step during a short burst of writes, and catches up once it ends', async () => {
    let burst = true;
    const { loop, starts, done } = recordingLoop(3, { busy: () => burst, inShortBurst: () => burst });
    loop.start();
    await new Promise((resolve) => setTimeout(resolve, 100)); // twenty rounds of the 5 ms timer
    assert.equal(starts.length, 0, 'compaction stepped during the burst');
    const ended = performance.now();
    burst = false;
    await done;
    await loop.stop();
    assert.equal(starts.length, 3);
    assert.ok(starts[0]! >= ended);
  });
});

describe('recent writes', () => {
  it('calls a run of writes a short burst until it has lasted BURST_GRACE_MS, and busy until 50 ms after the last', () => {
    let now = 1_000;
    const writes = new RecentWrites(() => now);
    assert.equal(writes.busy(), false);
    assert.equal(writes.inShortBurst(), false);
    writes.noteWrite();
    assert.equal(writes.busy(), true);
    assert.equal(writes.inShortBurst(), true);
    for (; now < 1_000 + BURST_GRACE_MS - 20; now += 20) writes.noteWrite();
    assert.equal(writes.inShortBurst(), true, 'writes 20 ms apart are one burst');
    now += 20;
    writes.noteWrite();
    assert.equal(writes.busy(), true);
    assert.equal(writes.inShortBurst(), false, 'a burst of BURST_GRACE_MS is long: compaction steps, with pauses');
    now += 49;
    assert.equal(writes.busy(), true);
    now += 1;
    assert.equal(writes.busy(), false, 'quiet 50 ms after the last write');
    assert.equal(writes.inShortBurst(), false);
    writes.noteWrite();
    assert.equal(writes.inShortBurst(), true, 'a write after a quiet gap starts a new burst');
  });
});

// Preloaded into a server child (`node --expose-gc --import ./memory-probe.mjs ...`) by the
// connection bench: on SIGUSR2 it collects garbage twice and writes process.memoryUsage() (RSS
// read after the collection) as JSON to MEMORY_PROBE_FILE, so the bench samples every server
// after the same full GC (and reducedRss after a memory-reducing one, see below). With
// MEMORY_PROBE_SNAPSHOT=1 it also writes a heap snapshot next to it.
import { writeFileSync, renameSync } from 'node:fs';
import v8 from 'node:v8';

const file = process.env.MEMORY_PROBE_FILE;
if (file) {
  let n = 0;
  process.on('SIGUSR2', () => {
    globalThis.gc?.();
    globalThis.gc?.();
    // Let finalizers and freed native memory (socket buffers, zlib, LevelDB iterators) settle.
    setTimeout(() => {
      globalThis.gc?.();
      const usage = process.memoryUsage();
      const result = { ...usage, gc: typeof globalThis.gc === 'function', seq: ++n };
      if (process.env.MEMORY_PROBE_SNAPSHOT === '1') result.snapshot = v8.writeHeapSnapshot(`${file}.${n}.heapsnapshot`);
      // Then the collection V8 runs when memory is short or the process went idle (memory
      // reducer): it also gives freed pages back and shrinks the young generation. Read second,
      // so the figures above are those of an ordinary full GC.
      globalThis.gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
      const reduced = process.memoryUsage();
      result.reducedRss = reduced.rss;
      result.reducedHeapTotal = reduced.heapTotal;
      writeFileSync(`${file}.tmp`, JSON.stringify(result));
      renameSync(`${file}.tmp`, file);
    }, 200);
  });
}

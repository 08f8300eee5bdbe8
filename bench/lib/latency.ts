// Latency of a repeated call: warm-up calls first (caches, JIT, connections), then timed ones.

/** The value at percentile `p` of `sorted` (ascending); NaN when there is none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Milliseconds of each of `runs` sequential calls of `fn` after `warmup` untimed ones, ascending. */
export async function sampleLatency(runs: number, warmup: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return samples.sort((a, b) => a - b);
}

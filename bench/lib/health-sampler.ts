// Polls GET /health one request after another and keeps [sentAt, milliseconds] of each: how responsive
// the node is while something else happens. Percentiles of any time slice come from the samples.
import { percentile } from './latency.ts';

export interface HealthSampler {
  /** p50 / p99 (ms) and count of requests sent in [from, to). */
  between(from: number, to: number): { p50: number; p99: number; count: number };
  stop(): Promise<void>;
}

export function sampleHealth(base: string, pauseMs: number): HealthSampler {
  const samples: Array<[number, number]> = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = Date.now();
      const t0 = performance.now();
      // A request that gets no answer in 10 s counts with the time it waited: a stalled node must show.
      await fetch(`${base}/health`, { signal: AbortSignal.timeout(10_000) })
        .then((res) => res.arrayBuffer())
        .catch(() => {});
      samples.push([at, performance.now() - t0]);
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  })();
  return {
    between(from, to) {
      const ms = samples.filter(([at]) => at >= from && at < to).map(([, d]) => d).sort((a, b) => a - b);
      return { p50: percentile(ms, 50), p99: percentile(ms, 99), count: ms.length };
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}

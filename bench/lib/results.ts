// Machine-readable bench output for `npm run bench` (bench/run-all.ts): when BENCH_RESULTS names a
// file, each bench appends one JSON line with its figures, each beside its same-run reference.
import { appendFileSync } from 'node:fs';
import { hardwareLine } from './hardware.ts';

export interface Figure {
  /** What was measured, e.g. "HTTP batches of 100 points, 32 conns". */
  name: string;
  value: number;
  unit: string;
  /** What the chart plots it as; figures without a kind appear in the table only. */
  kind?: 'throughput' | 'latency' | 'memory';
  p50Ms?: number;
  p99Ms?: number;
  reference?: { name: string; value: number; unit: string };
  /** value / reference.value, or the share the bench itself defines. */
  ratio?: number;
  target?: string;
  /** undefined: no target, or the target does not apply to this storage. */
  met?: boolean;
  note?: string;
}

export interface BenchRecord {
  bench: string;
  at: string;
  machine: string;
  figures: Figure[];
}

export function recordResults(bench: string, figures: Figure[]): void {
  const file = process.env.BENCH_RESULTS;
  if (!file) return;
  const record: BenchRecord = { bench, at: new Date().toISOString(), machine: hardwareLine(), figures };
  appendFileSync(file, JSON.stringify(record) + '\n');
}

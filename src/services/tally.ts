// Counts kept in a Map and added to a prom-client counter when it is scraped: prom-client hashes
// and validates the labels on every inc(), which showed on the per-request and per-message paths.
import type { Counter, LabelValues } from 'prom-client';

export class Tally<L extends string> {
  private readonly counts = new Map<string, { labels: LabelValues<L>; count: number }>();

  /** One more under `key`; `labels` is asked for only the first time the key is seen. */
  add(key: string, labels: (key: string) => LabelValues<L>): void {
    const entry = this.counts.get(key);
    if (entry) entry.count++;
    else this.counts.set(key, { labels: labels(key), count: 1 });
  }

  /** Adds what was counted since the last call to `counter` (its collect hook). */
  flushInto(counter: Counter<L>): void {
    for (const entry of this.counts.values()) {
      if (entry.count > 0) counter.inc(entry.labels, entry.count);
      entry.count = 0;
    }
  }
}

import type { Platform } from '../../src/cli/platform.ts';

/** The current value of a Prometheus sample of this node (0 when it has not been counted yet). */
export async function metricValue(platform: Platform, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = await platform.metrics.registry.getSingleMetric(name)?.get();
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
}

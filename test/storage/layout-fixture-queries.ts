// The answers compared across the storage layout upgrade: every read of telemetry the API uses, over
// the fixture's devices (test/storage/fixtures/make-layout-v13-fixture.ts).
import type { Storage } from '../../src/storage/storage.ts';

const DAY0 = Date.UTC(2026, 10, 1);
const WIDE = { start: DAY0 - 86_400_000, end: DAY0 + 5 * 86_400_000 };

export async function fixtureQueries(storage: Storage): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const deviceId of ['meter-1', 'plug-2']) {
    const fields = await storage.fieldsOf(deviceId);
    out[`${deviceId} fields`] = fields;
    out[`${deviceId} latest`] = await storage.latestPoints(deviceId);
    for (const order of ['asc', 'desc'] as const) {
      out[`${deviceId} history ${order}`] = await storage.queryPoints({ deviceId, ...WIDE, order, limit: 100_000 });
      out[`${deviceId} page ${order}`] = await storage.queryPoints({ deviceId, ...WIDE, order, limit: 50, after: { ts: DAY0 + 1440 * 60_000, field: 'power' } });
    }
    for (const field of fields) {
      for (const granularity of ['minute', 'hour'] as const) {
        out[`${deviceId} ${field} ${granularity}`] = await storage.readRollups({ deviceId, field, granularity, ...WIDE });
        out[`${deviceId} ${field} ${granularity} before`] = await storage.rollupBefore(deviceId, field, granularity, DAY0 + 1440 * 60_000 + 650 * 60_000);
      }
    }
  }
  out['latest of'] = await storage.latestPointsOf(['meter-1', 'plug-2']);
  return out;
}

// The answers compared across the storage layout upgrade: every read of telemetry the API uses, over
// the fixture's devices (test/storage/fixtures/make-layout-v13-fixture.ts), and the checks both
// upgrade tests (SQLite and PostgreSQL) make with them.
import assert from 'node:assert/strict';
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

/** Asserts that `storage` gives every answer of the fixture's expected.json. */
export async function assertFixtureAnswers(storage: Storage, expected: Record<string, unknown>): Promise<void> {
  const now = await fixtureQueries(storage);
  for (const key of Object.keys(expected)) assert.deepStrictEqual(now[key], expected[key], key);
}

/** Asserts that repeats of three stored points of meter-1 are refused, wherever the stored ones lie. */
export async function assertRepeatsRefused(storage: Storage, expected: Record<string, unknown>): Promise<void> {
  const repeat = (expected['meter-1 history asc'] as Array<{ ts: number }>).slice(0, 3).map((p) => ({ deviceId: 'meter-1', field: 'power', ts: p.ts, value: 1, meta: null }));
  assert.deepStrictEqual(await storage.writePoints(repeat), { inserted: 0, duplicates: 3 });
}

/** Asserts that a late point in the fixture's first day (merged and closed by then) is stored and counted in its minute. */
export async function assertLatePointCounted(storage: Storage): Promise<void> {
  const ts = DAY0 + 3 * 60_000;
  assert.deepStrictEqual(await storage.writePoints([{ deviceId: 'meter-1', field: 'power', ts, value: 5, meta: null }]), { inserted: 1, duplicates: 0 });
  const minute = await storage.readRollups({ deviceId: 'meter-1', field: 'power', granularity: 'minute', start: ts - 60_000, end: ts + 60_000 });
  assert.deepStrictEqual(minute, [{ bucket: DAY0 + 3 * 60_000, count: 1, sum: 5, min: 5, max: 5, firstTs: ts, first: 5, lastTs: ts, last: 5 }]);
}

/** Asserts that another handle on the upgraded database (closed here) reads the newest points as expected. */
export async function assertReopenedLatest(reopened: Storage, expected: Record<string, unknown>): Promise<void> {
  try {
    await reopened.migrate();
    assert.deepStrictEqual(await reopened.latestPoints('plug-2'), expected['plug-2 latest']);
  } finally {
    await reopened.close();
  }
}

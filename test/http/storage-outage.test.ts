// When storage cannot take data, ingest answers 503 and acknowledges nothing it did not store;
// /health says so; once storage is back, ingest and health recover without a restart.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachStorage } from '../helpers/platform.ts';
import { runSql as ddl } from '../helpers/raw-sql.ts';

forEachStorage('storage outage', (tp) => {
  it('answers 503 while the points table is gone, stores nothing of it, and recovers', async () => {
    const token = await tp().adminToken();
    const key = (await tp().newDevice(token, { id: 'outage', name: 'Outage' })).api_key;
    const t = Date.parse('2026-02-01T00:00:00Z');
    await ddl(tp(), 'ALTER TABLE chunks RENAME TO chunks_away');
    try {
      const res = await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: { temperature: 1, timestamp: t } });
      assert.equal(res.status, 503);
      assert.equal(res.body.error.code, 'STORAGE_UNAVAILABLE');
      assert.equal(res.headers.get('retry-after'), '1');
      const health = await tp().api('GET', '/health?detailed=true');
      assert.equal(health.status, 503);
      assert.equal(health.body.status, 'unhealthy');
      assert.equal(health.body.checks.ingest.ok, false);
      assert.equal(typeof health.body.checks.ingest.last_error, 'string');
    } finally {
      await ddl(tp(), 'ALTER TABLE chunks_away RENAME TO chunks');
    }
    const ok = await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: { temperature: 2, timestamp: t + 1 } });
    assert.equal(ok.status, 201);
    assert.equal((await tp().api('GET', '/health')).status, 200);
    const history = await tp().api('GET', `/api/v1/telemetry/outage?start_time=${t}&end_time=${t + 10}&order=asc`, { token });
    assert.deepEqual(history.body.points.map((p: { value: number }) => p.value), [2]);
    const agg = await tp().api('GET', `/api/v1/telemetry/outage/aggregated?field=temperature&aggregation=count&window=1h&start_time=${t}&end_time=${t + 3_600_000}`, { token });
    assert.deepEqual(agg.body.buckets.map((b: { value: number }) => b.value), [1]);
  });
});

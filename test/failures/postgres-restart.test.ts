// PostgreSQL restarted mid-ingest, on a private cluster of this test's own (the shared one on 5432
// serves other tests). While it is down: /health is unhealthy, HTTP ingest answers 503
// STORAGE_UNAVAILABLE, MQTT withholds the PUBACK and closes the connection. Once it is back the same
// platform process recovers by itself, and every acknowledged point is stored exactly once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { connectMqtt } from '../helpers/mqtt.ts';
import { type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';
import { type PrivatePostgres, privatePostgresSkipReason, startPrivatePostgres } from '../helpers/private-services.ts';
import { allStoredPoints, storedPointQueries } from '../helpers/stored-telemetry.ts';
import { ingestLoop, postPoints, publishOutcome, until } from './ingest-probe.ts';

const skip = privatePostgresSkipReason();

describe('PostgreSQL restarted mid-ingest', { skip: skip ?? false, timeout: 120_000 }, () => {
  let db: PrivatePostgres;
  let tp: TestPlatform;
  let device: { id: string; apiKey: string };
  const t0 = Date.now() - 3_600_000;

  before(async () => {
    db = await startPrivatePostgres();
    tp = await startTestPlatform({ DATABASE_URL: db.url, DATABASE_SCHEMA: 'fluxgate', RATE_LIMIT_INGEST: '0' });
    device = await tp.createDevice('pg-restart');
  });
  after(async () => {
    await tp?.stop();
    await db?.destroy();
  });

  test('refuses while down, acknowledges nothing it did not store, recovers without a restart', async () => {
    const mqtt = await connectMqtt(tp.mqttUrl, { clientId: 'pg-restart-dev', username: device.id, password: device.apiKey });
    const topic = `devices/${device.id}/data`;
    assert.equal(await publishOutcome(mqtt, topic, JSON.stringify({ m: 1, timestamp: t0 - 1 })), 'puback');

    const load = ingestLoop(tp.url, device.apiKey, t0);
    await until('some points acknowledged', async () => (load.acked.length >= 20 ? true : undefined));
    await db.stop();
    await until('ingest refused with 503', async () => (load.refused() > 0 ? true : undefined));

    const health = await tp.request('GET', '/health?detailed=true');
    assert.equal(health.status, 503);
    assert.equal(health.body.status, 'unhealthy');
    assert.equal(health.body.checks.storage.ok, false);
    const refused = await postPoints(tp.url, device.apiKey, { v: -2, timestamp: t0 - 2 });
    assert.deepEqual(refused, { status: 503, code: 'STORAGE_UNAVAILABLE', retryAfter: '1' });
    // No PUBACK for what cannot be stored: the broker closes the connection so the device resends.
    assert.equal(await publishOutcome(mqtt, topic, JSON.stringify({ m: 2, timestamp: t0 - 3 })), 'closed');
    await mqtt.endAsync(true);

    await db.start();
    await until('ingest accepted again', async () => (load.acked.length > 0 && (await postPoints(tp.url, device.apiKey, { v: -4, timestamp: t0 - 4 })).status === 201 ? true : undefined));
    const ackedBeforeStop = load.acked.length;
    await until('more points acknowledged by the running loop', async () => (load.acked.length > ackedBeforeStop + 5 ? true : undefined));
    await load.stop();
    await until('/health healthy again', async () => ((await tp.request('GET', '/health')).status === 200 ? true : undefined));
    // The device reconnects and resends the message that got no PUBACK; now it is acknowledged.
    const again = await connectMqtt(tp.mqttUrl, { clientId: 'pg-restart-dev', username: device.id, password: device.apiKey });
    assert.equal(await publishOutcome(again, topic, JSON.stringify({ m: 2, timestamp: t0 - 3 })), 'puback');
    await again.endAsync();
    assert.deepEqual(load.unexpected, []);
    assert.ok(load.refused() > 0);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('SET search_path TO fluxgate');
      // One snapshot for every read: background compaction may move points between them.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      const pointsOf = async (field: string) => {
        const q = storedPointQueries(field);
        const old = await client.query<{ device_id: string; ts: string; num: number }>(q.oldRows);
        const chunks = await client.query<{ device_id: string; data: Buffer }>(q.chunks);
        return allStoredPoints(old.rows, chunks.rows).filter((p) => p.device_id === device.id);
      };
      const rows = await pointsOf('v');
      const stored = new Set(rows.map((r) => r.ts));
      const missing = load.acked.filter((ts) => !stored.has(ts));
      assert.deepEqual(missing, [], 'every acknowledged point is stored');
      assert.equal(stored.size, rows.length, 'no point is stored twice');
      const rollup = await client.query<{ n: string }>("SELECT COALESCE(SUM(count), 0) AS n FROM rollup_hour WHERE device_id = $1 AND field = 'v'", [device.id]);
      assert.equal(Number(rollup.rows[0]!.n), rows.length, 'rollups count each stored point once');
      assert.deepEqual((await pointsOf('m')).map((p) => p.ts).sort((a, b) => a - b), [t0 - 3, t0 - 1]);
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
  });
});

// The external MQTT broker (MQTT_URL) restarted, on a private Mosquitto of this test's own (the
// shared one on 1883 serves other tests). While it is down /health is unhealthy (check `mqtt`) and
// HTTP ingest goes on; once it is back the same process reconnects, subscribes again, turns healthy
// and stores what devices publish. A message the node cannot store is not acknowledged to the
// broker, which redelivers it to the node's persistent session until it is stored.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { connectMqtt } from '../helpers/mqtt.ts';
import { type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';
import { type PrivateMosquitto, privateMosquittoSkipReason, startPrivateMosquitto } from '../helpers/private-services.ts';
import { postPoints, publishOutcome, until } from './ingest-probe.ts';

const skip = privateMosquittoSkipReason();

describe('external MQTT broker restarted', { skip: skip ?? false, timeout: 120_000 }, () => {
  let broker: PrivateMosquitto;
  let tp: TestPlatform;
  let device: { id: string; apiKey: string };
  const t0 = Date.now() - 3_600_000;

  before(async () => {
    broker = await startPrivateMosquitto();
    tp = await startTestPlatform({ MQTT_URL: broker.url, RATE_LIMIT_INGEST: '0' });
    device = await tp.createDevice('broker-restart');
  });
  after(async () => {
    await tp?.stop();
    await broker?.destroy();
  });

  const storedTs = async (field: string) =>
    (await tp.platform.storage.queryPoints({ deviceId: device.id, fields: [field], start: t0 - 10_000, end: t0 + 10_000, order: 'asc', limit: 100 })).map((p) => p.ts);

  async function publishAndWait(ts: number): Promise<void> {
    const client = await connectMqtt(broker.url, { clientId: `dev-${ts}` });
    assert.equal(await publishOutcome(client, `devices/${device.id}/data`, JSON.stringify({ m: 1, timestamp: ts })), 'puback');
    await client.endAsync();
    await until(`point ${ts} stored`, async () => ((await storedTs('m')).includes(ts) ? true : undefined));
  }

  test('unhealthy while the broker is down, reconnects and stores again when it is back', async () => {
    const healthy = await tp.request('GET', '/health?detailed=true');
    assert.equal(healthy.status, 200);
    const { cluster_events: clusterEvents, ...mqtt } = healthy.body.checks.mqtt;
    assert.deepEqual(mqtt, { ok: true, mode: 'external', connected: true });
    // The node's own client for cross-node events is connected too.
    assert.equal(clusterEvents.connected, true);
    await publishAndWait(t0);

    await broker.stop();
    const down = await until('/health unhealthy', async () => {
      const res = await tp.request('GET', '/health?detailed=true');
      return res.status === 503 ? res : undefined;
    });
    assert.equal(down.body.status, 'unhealthy');
    assert.equal(down.body.checks.mqtt.ok, false);
    assert.equal(down.body.checks.storage.ok, true);
    // HTTP ingest does not depend on the broker.
    assert.equal((await postPoints(tp.url, device.apiKey, { h: 1, timestamp: t0 + 1 })).status, 201);

    await broker.start();
    await until('/health healthy again', async () => ((await tp.request('GET', '/health')).status === 200 ? true : undefined));
    await publishAndWait(t0 + 2);
    assert.deepEqual(await storedTs('m'), [t0, t0 + 2]);
    assert.deepEqual(await storedTs('h'), [t0 + 1]);
  });
});

describe('external MQTT broker, storage refusing', { skip: skip ?? false, timeout: 120_000 }, () => {
  let broker: PrivateMosquitto;
  let tp: TestPlatform;
  let device: { id: string; apiKey: string };
  const t0 = Date.now() - 3_600_000;

  before(async () => {
    broker = await startPrivateMosquitto();
    tp = await startTestPlatform({ MQTT_URL: broker.url });
    device = await tp.createDevice('broker-refusal');
  });
  after(async () => {
    await tp?.stop();
    await broker?.destroy();
  });

  test('a message the node cannot store gets no PUBACK and is stored once storage is back', async () => {
    const db = new Database(path.join(tp.dataDir, 'fluxgate.db'));
    const publisher = await connectMqtt(broker.url, { clientId: 'dev-refusal' });
    try {
      db.exec('ALTER TABLE chunks RENAME TO chunks_away');
      // The broker acknowledges the device; the node, unable to commit, must not acknowledge the broker.
      assert.equal(await publishOutcome(publisher, `devices/${device.id}/data`, JSON.stringify({ r: 1, timestamp: t0 })), 'puback');
      await until('the node refused a commit', async () => ((await tp.request('GET', '/health')).status === 503 ? true : undefined));
    } finally {
      db.exec('ALTER TABLE chunks_away RENAME TO chunks');
      db.close();
      await publisher.endAsync();
    }
    // Redelivered by the broker (the node's session is persistent) and stored now.
    const stored = async () =>
      (await tp.platform.storage.queryPoints({ deviceId: device.id, fields: ['r'], start: t0, end: t0 + 1, order: 'asc', limit: 10 })).length;
    await until('the refused message stored after redelivery', async () => ((await stored()) === 1 ? true : undefined));
  });
});

// External broker mode keeps many messages in flight over several share-group connections, on a
// private Mosquitto of this test's own. While SQLite is write-locked by another connection the node
// holds far more messages than it has connections, none stored and so none acknowledged; the
// commit then fails (busy), the node withholds every PUBACK, and the broker redelivers to each
// connection's persistent session until storage is back: every message is stored, once. Each
// connection's session id derives from the node's stored client id, so a restart finds them again.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { connectMqtt } from '../helpers/mqtt.ts';
import { type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';
import { type PrivateMosquitto, privateMosquittoSkipReason, startPrivateMosquitto } from '../helpers/private-services.ts';
import { until } from './ingest-probe.ts';

const skip = privateMosquittoSkipReason();
const CONNECTIONS = 3;

async function counter(tp: TestPlatform, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = await tp.platform.metrics.registry.getSingleMetric(name)?.get();
  return (m?.values ?? []).filter((x) => Object.entries(labels).every(([k, v]) => x.labels[k] === v)).reduce((a, x) => a + x.value, 0);
}

describe('external broker mode, many messages in flight', { skip: skip ?? false, timeout: 120_000 }, () => {
  let broker: PrivateMosquitto;
  let tp: TestPlatform;
  let device: { id: string; apiKey: string };
  const t0 = Date.now() - 3_600_000;

  before(async () => {
    broker = await startPrivateMosquitto();
    tp = await startTestPlatform({ MQTT_URL: broker.url, MQTT_EXTERNAL_CONNECTIONS: String(CONNECTIONS), RATE_LIMIT_INGEST: '0' });
    device = await tp.createDevice('inflight');
  });
  after(async () => {
    await tp?.stop();
    await broker?.destroy();
  });

  const stored = async (n: number) =>
    (await tp.platform.storage.queryPoints({ deviceId: device.id, fields: ['v'], start: t0, end: t0 + n, order: 'asc', limit: n + 10 })).map((p) => p.value);

  test('held while storage is locked, withheld while it refuses, all stored once after', async () => {
    const n = 300;
    const lock = new Database(path.join(tp.dataDir, 'fluxgate.db'));
    const publisher = await connectMqtt(broker.url, { clientId: 'dev-inflight' });
    try {
      lock.exec('BEGIN IMMEDIATE');
      // The broker acknowledges the device at once; what reaches the node waits for the commit.
      await Promise.all(
        Array.from({ length: n }, (_, i) => publisher.publishAsync(`devices/${device.id}/data`, JSON.stringify({ v: i, timestamp: t0 + i }), { qos: 1 })),
      );
      // More messages in the pipeline than connections: each connection has several in flight.
      await until(`more than ${CONNECTIONS} messages in flight`, async () => (tp.platform.pipeline.pending > CONNECTIONS * 2 ? true : undefined));
      assert.deepEqual(await stored(n), []);
      // The commit gives up on the lock (busy timeout): 503, so every PUBACK is withheld.
      await until('the node refused a commit', async () => ((await counter(tp, 'fluxgate_mqtt_dropped_total', { reason: 'storage' })) > 0 ? true : undefined));
    } finally {
      lock.exec('ROLLBACK');
      lock.close();
      await publisher.endAsync();
    }
    await until(`all ${n} points stored`, async () => ((await stored(n)).length === n ? true : undefined));
    assert.deepEqual(await stored(n), Array.from({ length: n }, (_, i) => i));
  });
});

describe('external broker mode, one persistent session per connection', { skip: skip ?? false, timeout: 60_000 }, () => {
  let broker: PrivateMosquitto;
  before(async () => {
    broker = await startPrivateMosquitto();
  });
  after(async () => {
    await broker?.destroy();
  });

  /** Whether the broker still holds a session under `clientId` (CONNACK session present); ends it. */
  async function sessionPresent(clientId: string): Promise<boolean> {
    const probe = mqtt.connect(broker.url, { protocolVersion: 5, clean: false, clientId, reconnectPeriod: 0, properties: { sessionExpiryInterval: 0 } });
    try {
      return await new Promise<boolean>((resolve, reject) => {
        probe.once('connect', (connack) => resolve(connack.sessionPresent));
        probe.once('error', reject);
      });
    } finally {
      await probe.endAsync();
    }
  }

  test('the node\'s sessions are <id>, <id>-1 … <id>-(N-1), kept by the broker after a normal stop', async () => {
    const node = await startTestPlatform({ MQTT_URL: broker.url, MQTT_EXTERNAL_CONNECTIONS: String(CONNECTIONS) });
    await node.stop({ keepData: true });
    try {
      const id = readFileSync(path.join(node.dataDir, 'mqtt-client-id'), 'utf8').trim();
      const ids = [id, ...Array.from({ length: CONNECTIONS - 1 }, (_, i) => `${id}-${i + 1}`)];
      for (const clientId of ids) assert.equal(await sessionPresent(clientId), true, `session ${clientId}`);
      assert.equal(await sessionPresent(`${id}-${CONNECTIONS}`), false);
    } finally {
      rmSync(node.dataDir, { recursive: true, force: true });
    }
  });
});

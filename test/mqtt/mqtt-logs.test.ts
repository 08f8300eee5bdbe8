// Device system logs over MQTT (devices/{id}/logs): the same payloads as POST /devices/{id}/logs,
// stored before the QoS 1 PUBACK, invalid ones dropped with the connection kept.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import { metricValue } from '../helpers/metric.ts';
import { connectMqtt } from '../helpers/mqtt.ts';
import { type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';

describe('device logs over MQTT', { timeout: 30_000 }, () => {
  let tp: TestPlatform;
  let device: { id: string; apiKey: string };
  let client: MqttClient;

  before(async () => {
    tp = await startTestPlatform();
    device = await tp.createDevice('logger-1');
    client = await connectMqtt(tp.mqttUrl, { username: device.id, password: device.apiKey });
  });
  after(async () => {
    client.end(true);
    await tp.stop();
  });

  const stored = () =>
    tp.platform.storage.queryLogs({ deviceId: device.id, start: 0, end: Date.now() + 60_000, order: 'asc', limit: 100 });

  // An hour ago on a whole second, whatever day the suite runs: well inside the log retention.
  const T = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
  const iso = (ms: number) => new Date(ms).toISOString();

  test('QoS 1 log lines are stored before the PUBACK arrives', async () => {
    const lines = [
      { level: 'warning', message: 'battery low', timestamp: iso(T), source: 'power' },
      { level: 'error', message: 'sensor timeout', timestamp: iso(T + 1000) },
    ];
    await client.publishAsync(`devices/${device.id}/logs`, JSON.stringify(lines), { qos: 1 });
    const entries = await stored();
    assert.deepEqual(
      entries.map((e) => [e.ts, e.level, e.message, e.source]),
      [
        [T, 'warning', 'battery low', 'power'],
        [T + 1000, 'error', 'sensor timeout', null],
      ],
    );
  });

  test('an invalid log payload is dropped and counted; the connection stays up', async () => {
    await client.publishAsync(`devices/${device.id}/logs`, JSON.stringify({ level: 'loud', message: 'x' }), { qos: 1 });
    await client.publishAsync(`devices/${device.id}/logs`, JSON.stringify({ level: 'info', message: 'still here', timestamp: iso(T + 2000) }), { qos: 1 });
    assert.equal(client.connected, true);
    assert.deepEqual((await stored()).map((e) => e.message), ['battery low', 'sensor timeout', 'still here']);
    assert.equal(await metricValue(tp.platform, 'fluxgate_mqtt_dropped_total', { reason: 'invalid_logs' }), 1);
  });
});

import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { connectMqtt, nextMessage } from '../helpers/mqtt.ts';
import { ADMIN_PASSWORD, startTestPlatform } from '../helpers/mqtt-platform.ts';

test('a queued QoS 1 message reaches a persistent session after a broker restart', { timeout: 30_000 }, async () => {
  const first = await startTestPlatform();
  const dev = await first.createDevice('thermo-1');
  const session = { username: dev.id, password: dev.apiKey, clientId: 'thermo-1-session', clean: false };
  const device = await connectMqtt(first.mqttUrl, session);
  await device.subscribeAsync('devices/thermo-1/commands', { qos: 1 });
  await device.endAsync();
  const admin = await connectMqtt(first.mqttUrl, { username: 'admin', password: ADMIN_PASSWORD });
  await admin.publishAsync('devices/thermo-1/commands', JSON.stringify({ id: 'c-1', command: 'reboot' }), { qos: 1 });
  await admin.endAsync();
  await first.stop({ keepData: true });

  const second = await startTestPlatform({}, first.dataDir);
  try {
    const again = mqtt.connect(second.mqttUrl, { ...session, protocolVersion: 4, reconnectPeriod: 0, manualConnect: true });
    const received = nextMessage(again, 'devices/thermo-1/commands');
    again.connect();
    const msg = await received;
    assert.deepEqual(JSON.parse(msg.payload.toString()), { id: 'c-1', command: 'reboot' });
    assert.equal(msg.qos, 1);
    await again.endAsync();
  } finally {
    await second.stop();
  }
});

test('a taken MQTT_PORT stops start-up with a message naming MQTT_PORT', { timeout: 30_000 }, async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    await assert.rejects(startTestPlatform({ MQTT_PORT: String(port) }), (err: Error) => {
      assert.equal(err.name, 'StartupError');
      assert.equal(err.message, `MQTT_PORT=${port} is already in use on 127.0.0.1: set MQTT_PORT to a free port`);
      return true;
    });
  } finally {
    blocker.close();
  }
});

test('MQTT_TOPIC_PREFIX=energy serves the seed-001 topics', { timeout: 30_000 }, async () => {
  const tp = await startTestPlatform({ MQTT_TOPIC_PREFIX: 'energy' });
  try {
    const dev = await tp.createDevice('pv-1');
    const c = await connectMqtt(tp.mqttUrl, { username: dev.id, password: dev.apiKey });
    await c.publishAsync('energy/devices/pv-1/data', JSON.stringify({ power_w: 812, timestamp: 1_700_000_000_000 }), { qos: 1 });
    assert.deepEqual((await tp.platform.storage.latestPoints('pv-1')).map((p) => [p.field, p.value]), [['power_w', 812]]);
    const granted = await c.subscribeAsync('energy/devices/pv-1/commands', { qos: 1 });
    assert.deepEqual(granted.map((g) => g.qos), [1]);
    await c.endAsync();
  } finally {
    await tp.stop();
  }
});

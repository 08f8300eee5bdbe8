// A client id belongs to the credential using it; a persistent session to the credential that made
// it, across disconnects and restarts. Refusals are CONNACK 2 (identifier rejected).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { connectMqtt, nextMessage } from '../helpers/mqtt.ts';
import { ADMIN_PASSWORD, startTestPlatform } from '../helpers/mqtt-platform.ts';

const clients: MqttClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
});

const refusedAs2 = (err: Error & { code?: number }) => err.code === 2;

test('a persistent session stays bound to its credential after its connection ends and after a restart', { timeout: 60_000 }, async () => {
  const first = await startTestPlatform();
  const owner = await first.createDevice('session-owner');
  const other = await first.createDevice('session-other');
  const ownerSession = { username: owner.id, password: owner.apiKey, clientId: 'owned-session', clean: false };
  const device = await connectMqtt(first.mqttUrl, ownerSession);
  await device.subscribeAsync(`devices/${owner.id}/commands`, { qos: 1 });
  await device.endAsync();

  // Offline: another credential may neither resume the session (CleanSession 0) nor discard it (CleanSession 1).
  for (const clean of [false, true]) {
    await assert.rejects(connectMqtt(first.mqttUrl, { username: other.id, password: other.apiKey, clientId: 'owned-session', clean }), refusedAs2);
  }
  await assert.rejects(connectMqtt(first.mqttUrl, { username: 'admin', password: ADMIN_PASSWORD, clientId: 'owned-session', clean: false }), refusedAs2);
  const admin = await connectMqtt(first.mqttUrl, { username: 'admin', password: ADMIN_PASSWORD });
  await admin.publishAsync(`devices/${owner.id}/commands`, JSON.stringify({ id: 'c-kept' }), { qos: 1 });
  await admin.endAsync();
  await first.stop({ keepData: true });

  const second = await startTestPlatform({}, first.dataDir);
  try {
    await assert.rejects(connectMqtt(second.mqttUrl, { username: other.id, password: other.apiKey, clientId: 'owned-session', clean: false }), refusedAs2);
    // The owner resumes its session with the command queued while it was away.
    const again = mqtt.connect(second.mqttUrl, { ...ownerSession, protocolVersion: 4, reconnectPeriod: 0, manualConnect: true });
    clients.push(again);
    const queued = nextMessage(again, `devices/${owner.id}/commands`);
    again.connect();
    assert.deepEqual(JSON.parse((await queued).payload.toString()), { id: 'c-kept' });
  } finally {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    await second.stop();
  }
});

test('a client id without a session is free again once its connection ends; the owner ending its session frees it too', { timeout: 30_000 }, async () => {
  const tp = await startTestPlatform();
  try {
    const a = await tp.createDevice('id-user-a');
    const b = await tp.createDevice('id-user-b');
    const credsA = { username: a.id, password: a.apiKey };
    const credsB = { username: b.id, password: b.apiKey };

    const first = await connectMqtt(tp.mqttUrl, { ...credsA, clientId: 'reused-id', clean: true });
    clients.push(first);
    // In use: taking it would kick the connection off.
    await assert.rejects(connectMqtt(tp.mqttUrl, { ...credsB, clientId: 'reused-id', clean: true }), refusedAs2);
    await first.endAsync();
    const second = await connectMqtt(tp.mqttUrl, { ...credsB, clientId: 'reused-id', clean: true });
    clients.push(second);
    assert.equal(second.connected, true);
    await second.endAsync();

    // A persistent session, then its owner connects with CleanSession 1 (which ends the session).
    await (await connectMqtt(tp.mqttUrl, { ...credsA, clientId: 'ended-session', clean: false })).endAsync();
    await assert.rejects(connectMqtt(tp.mqttUrl, { ...credsB, clientId: 'ended-session', clean: true }), refusedAs2);
    await (await connectMqtt(tp.mqttUrl, { ...credsA, clientId: 'ended-session', clean: true })).endAsync();
    const taken = await connectMqtt(tp.mqttUrl, { ...credsB, clientId: 'ended-session', clean: false });
    clients.push(taken);
    assert.equal(taken.connected, true);
  } finally {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    await tp.stop();
  }
});

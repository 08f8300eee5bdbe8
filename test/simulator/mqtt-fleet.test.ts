// The MQTT link against the real Mosquitto at 127.0.0.1:1883 (anonymous there, so the id/key login
// is not checked by this broker): telemetry at QoS 1, command acks, desired state, last will.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { Fleet } from '../../src/simulator/fleet.ts';
import { MqttTransport } from '../../src/simulator/links/mqtt-link.ts';
import { MqttTopics } from '../../src/simulator/links/topics.ts';
import type { Thermostat } from '../../src/simulator/models/thermostat.ts';
import { knobsFor } from '../../src/simulator/profiles.ts';
import { MOSQUITTO_URL, mosquittoSkipReason, waitFor } from './fixtures.ts';

const skip = (await mosquittoSkipReason()) ?? false;
const run = randomBytes(4).toString('hex');
const prefix = `fgsim-${run}`;
const topics = new MqttTopics(prefix);

describe('MQTT fleet against Mosquitto', { skip }, () => {
  let observer: MqttClient;
  const received: Array<{ topic: string; text: string; retain: boolean }> = [];
  const on = (topic: string) => received.filter((m) => m.topic === topic).map((m) => JSON.parse(m.text) as Record<string, unknown>);
  const fleets: Fleet[] = [];

  before(async () => {
    observer = await mqtt.connectAsync(MOSQUITTO_URL, { protocolVersion: 4, clientId: `observer-${run}` });
    observer.on('message', (topic, payload, packet) => received.push({ topic, text: payload.toString(), retain: packet.retain }));
    await observer.subscribeAsync(`${prefix}/devices/#`, { qos: 1 });
  });

  after(async () => {
    for (const f of fleets) await f.stop();
    // Leave no retained messages behind on the shared broker.
    for (const t of new Set(received.filter((m) => m.retain || m.topic.endsWith('/status') || m.topic.endsWith('/desired')).map((m) => m.topic))) {
      await observer.publishAsync(t, '', { qos: 1, retain: true });
    }
    await observer?.endAsync();
  });

  function fleetOf(id: string, type: 'thermostat' | 'door_lock', overrides: Parameters<typeof knobsFor>[1]) {
    const fleet = new Fleet({
      devices: [{ credentials: { id, apiKey: 'k'.repeat(43), type } }],
      knobs: knobsFor('default', overrides),
      transport: new MqttTransport({ url: MOSQUITTO_URL, topicPrefix: prefix }),
      seed: 1,
    });
    fleets.push(fleet);
    return fleet;
  }

  test('telemetry at QoS 1, online status, command acks, desired state: the closed loop converges', async () => {
    const id = `thermo-${run}`;
    // 1 real second = 15 simulated minutes; a message every 50 ms is 45 simulated seconds.
    const fleet = fleetOf(id, 'thermostat', { intervalMs: 50, jitterMs: 0, timeAcceleration: 15 * 60 });
    assert.deepStrictEqual(await fleet.start(), { connected: 1, failed: [] });
    await waitFor(() => on(topics.data(id)).length >= 3, 'telemetry');
    assert.equal(on(topics.status(id))[0]!.status, 'online');
    const first = on(topics.data(id))[0]!;
    assert.deepStrictEqual(Object.keys(first).sort(), ['heating', 'humidity', 'pressure', 'target_temperature', 'temperature', 'timestamp']);
    assert.ok(fleet.counters.accepted >= 3, 'PUBACKs counted');

    await observer.publishAsync(topics.commands(id), JSON.stringify({ id: 'c1', command: 'set_target_temperature', parameters: { temperature: 19 } }), { qos: 1 });
    await observer.publishAsync(topics.commands(id), JSON.stringify({ id: 'c2', command: 'open_window', parameters: {} }), { qos: 1 });
    await waitFor(() => on(topics.commandAck(id)).length >= 2, 'two acks');
    assert.deepStrictEqual(on(topics.commandAck(id)), [
      { id: 'c1', status: 'acked', result: { target_temperature: 19 } },
      { id: 'c2', status: 'failed', error: 'thermostat does not know the command "open_window" (known: set_target_temperature, turn_on, turn_off)' },
    ]);
    await waitFor(() => fleet.counters.acksSent === 2, 'acks counted');
    assert.equal((fleet.device(id)!.model as Thermostat).target, 19);

    // Desired state (retained, as the platform will send it): target 25 °C.
    await observer.publishAsync(topics.desiredState(id), JSON.stringify({ desired: { target_temperature: 25 }, version: 2, updated_at: new Date().toISOString() }), {
      qos: 1,
      retain: true,
    });
    await waitFor(() => {
      const last = on(topics.data(id)).at(-1)!;
      return last.target_temperature === 25 && Math.abs((last.temperature as number) - 25) < 0.3;
    }, 'temperature within 0.3 °C of the desired 25 °C', 30_000);
    assert.equal(fleet.counters.desiredUpdates, 1);
    assert.equal(fleet.counters.errors, 0);
  });

  test('going offline fires the last will; the device comes back after offlineMs', async () => {
    const id = `lock-${run}`;
    const fleet = fleetOf(id, 'door_lock', { intervalMs: 30, jitterMs: 0, faults: { offline: 1, offlineMs: 300 } });
    await fleet.start();
    await waitFor(() => on(topics.status(id)).some((s) => s.status === 'offline'), 'last will');
    const statuses = on(topics.status(id)).map((s) => s.status);
    assert.deepStrictEqual(statuses.slice(0, 2), ['online', 'offline']);
    assert.ok(fleet.counters.offlineEvents >= 1);
    await waitFor(() => on(topics.status(id)).filter((s) => s.status === 'online').length >= 2, 'reconnect after offlineMs');
  });
});

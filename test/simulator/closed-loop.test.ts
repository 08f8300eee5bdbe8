// The closed loop through the public API only: a simulated thermostat connected over MQTT (its own
// id and key) to a real platform; PUT /devices/{id}/state sets the desired target, the broker
// delivers it, the room converges in accelerated time, and GET /devices/{id}/state shows the
// reported temperature near the desired one. A command is acked and its status reads back acked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Fleet } from '../../src/simulator/fleet.ts';
import { MqttTransport } from '../../src/simulator/links/mqtt-link.ts';
import { knobsFor } from '../../src/simulator/profiles.ts';
import { type Json, forEachStorage } from '../helpers/platform.ts';

const TOLERANCE = 0.3;

/** Polls `read` until `done` holds for its value; fails naming `what` (a guard, not a timing assertion). */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

forEachStorage('closed loop through the public API', (get) => {
  test('desired target 25 °C → the thermostat over MQTT converges, GET state shows reported ≈ desired; commands are acked', { timeout: 120_000 }, async () => {
    const p = get();
    const admin = await p.adminToken();
    const device = await p.newDevice(admin, { id: `thermo-${p.kind}`, name: 'Living room', device_type: 'thermostat' });
    const mqttPort = p.platform.mqtt?.port;
    assert.ok(mqttPort, 'the embedded broker listens');

    // 1 real second = 15 simulated minutes (τ of the room); a reading every 50 ms.
    const fleet = new Fleet({
      devices: [{ credentials: { id: device.id, apiKey: device.api_key, type: 'thermostat' } }],
      knobs: knobsFor('default', { intervalMs: 50, jitterMs: 0, timeAcceleration: 15 * 60 }),
      transport: new MqttTransport({ url: `mqtt://127.0.0.1:${mqttPort}` }),
      seed: 7,
    });
    try {
      assert.deepStrictEqual(await fleet.start(), { connected: 1, failed: [] });
      const state = () => p.api('GET', `/api/v1/devices/${device.id}/state`, { token: admin }).then((r) => r.body as Json);

      const before = await until(state, (s) => typeof s.reported.temperature === 'number', 'the first reading');
      assert.equal(before.reported.target_temperature, 21, 'the thermostat starts at its own target');
      assert.ok(Math.abs(before.reported.temperature - 25) > 1, `not already at 25 °C (${before.reported.temperature})`);

      const put = await p.api('PUT', `/api/v1/devices/${device.id}/state`, { token: admin, body: { desired: { target_temperature: 25 } } });
      assert.deepStrictEqual([put.status, put.body.desired], [200, { target_temperature: 25 }]);

      const converged = await until(
        state,
        (s) => s.reported.target_temperature === 25 && Math.abs(s.reported.temperature - 25) < TOLERANCE,
        `reported temperature within ${TOLERANCE} °C of the desired 25 °C`,
      );
      assert.deepStrictEqual([converged.desired, converged.delta], [{ target_temperature: 25 }, {}]);
      assert.equal(fleet.counters.desiredUpdates, 1, 'the desired state reached the device once');

      // A command through the API, delivered over MQTT, acked by the device.
      const sent = await p.api('POST', `/api/v1/devices/${device.id}/commands`, { token: admin, body: { command: 'set_target_temperature', parameters: { temperature: 23 } } });
      assert.equal(sent.status, 201);
      const acked = await until(
        () => p.api('GET', `/api/v1/devices/${device.id}/commands/${sent.body.id}`, { token: admin }).then((r) => r.body as Json),
        (c) => c.status === 'acked' || c.status === 'failed',
        'the command ack',
      );
      assert.deepStrictEqual([acked.status, acked.result], ['acked', { target_temperature: 23 }]);
      // A command the thermostat's profile does not know is refused by the platform, never sent
      // (the device's own refusal of unknown commands is covered by mqtt-fleet.test.ts).
      const wrong = await p.api('POST', `/api/v1/devices/${device.id}/commands`, { token: admin, body: { command: 'open_window' } });
      assert.deepStrictEqual([wrong.status, wrong.body.error.code], [422, 'INVALID_COMMAND']);
      assert.match(wrong.body.error.message, /thermostat has no command "open_window"/);
      const listed = await p.api('GET', `/api/v1/devices/${device.id}/commands`, { token: admin });
      assert.deepStrictEqual(listed.body.map((c: Json) => [c.command, c.status]), [['set_target_temperature', 'acked']]);

      // The new target shows up as a delta against the still-desired 25 °C until someone resolves it.
      const after = await until(state, (s) => s.reported.target_temperature === 23, 'the commanded target in the readings');
      assert.deepStrictEqual(after.delta, { target_temperature: 25 });
      assert.equal(fleet.counters.errors, 0);
    } finally {
      await fleet.stop();
    }
  });
});

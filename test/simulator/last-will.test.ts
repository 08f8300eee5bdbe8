// Going offline against the real platform: the simulated device drops its MQTT connection without a
// DISCONNECT (its broker publishes the last will), the platform marks it offline and tells the live
// stream; after offlineMs the device reconnects and is online again. Only public APIs are used.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StreamServerMessage } from '../../src/contract/stream.ts';
import { Fleet } from '../../src/simulator/fleet.ts';
import { MqttTransport } from '../../src/simulator/links/mqtt-link.ts';
import { knobsFor } from '../../src/simulator/profiles.ts';
import { type TestPlatform, startPlatform } from '../helpers/platform.ts';
import { TestSocket } from '../helpers/stream-socket.ts';

describe('simulated device offline with a last will, against the platform', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startPlatform('sqlite');
  });
  after(async () => p?.stop());

  test('offline → the platform marks it offline at once; it comes back online after offlineMs', { timeout: 60_000 }, async () => {
    const admin = await p.adminToken();
    const device = await p.newDevice(admin, { id: 'lock-1', name: 'Front door', device_type: 'door_lock' });
    const s = new TestSocket(`${p.baseUrl.replace('http', 'ws')}/api/v1/stream?token=${admin}`);
    await s.opened();
    await s.next();
    s.send({ type: 'subscribe', device_ids: [device.id] });
    assert.deepStrictEqual(await s.next(), { type: 'subscribed', device_ids: [device.id], denied: [] });

    // Every scheduled send is an offline spell of 400 ms: connect, drop, reconnect, drop, …
    const fleet = new Fleet({
      devices: [{ credentials: { id: device.id, apiKey: device.api_key, type: 'door_lock' } }],
      knobs: knobsFor('default', { intervalMs: 100, jitterMs: 0, faults: { offline: 1, offlineMs: 400 } }),
      transport: new MqttTransport({ url: `mqtt://127.0.0.1:${p.platform.mqtt!.port}` }),
      seed: 3,
    });
    try {
      assert.deepStrictEqual(await fleet.start(), { connected: 1, failed: [] });
      // Status changes as the stream reports them: wait for an offline followed by an online.
      let wentOffline = false;
      for (;;) {
        const m: StreamServerMessage = await s.next();
        if (m.type !== 'status') continue;
        if (!m.online) wentOffline = true;
        else if (wentOffline) break;
      }
      assert.ok(fleet.counters.offlineEvents >= 1);
    } finally {
      await fleet.stop();
      s.close();
    }
  });
});

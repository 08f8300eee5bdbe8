// HTTP mode end to end: provisioned through the public API, telemetry over POST /api/v1/telemetry,
// and what the platform stored read back through GET /api/v1/telemetry/{id}.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Fleet } from '../../src/simulator/fleet.ts';
import { HttpTransport } from '../../src/simulator/links/http-link.ts';
import { PlatformClient, type ProvisionedDevice } from '../../src/simulator/platform-client.ts';
import { knobsFor } from '../../src/simulator/profiles.ts';
import { ADMIN_PASSWORD, startSimPlatform, waitFor, type SimPlatform } from './fixtures.ts';

const FIELDS_PER_TYPE: Record<string, number> = { server_rack: 6, thermostat: 5, smart_meter: 1 };

describe('HTTP fleet against a real platform', () => {
  let sp: SimPlatform;
  let client: PlatformClient;
  let token: string;

  before(async () => {
    sp = await startSimPlatform();
    client = new PlatformClient(sp.baseUrl);
    token = await client.login('admin', ADMIN_PASSWORD);
  });
  after(async () => sp?.stop());

  async function stored(d: ProvisionedDevice): Promise<Array<{ ts: number; field: string }>> {
    const res = await fetch(`${sp.baseUrl}/api/v1/telemetry/${d.id}?limit=10000&start_time=-1h`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200);
    return ((await res.json()) as { points: Array<{ ts: number; field: string }> }).points;
  }

  test('points stored = points sent; malformed payloads are refused, not stored', async () => {
    const devices = await client.provision(3, ['server_rack', 'thermostat', 'smart_meter'], 'http');
    assert.deepStrictEqual(devices.map((d) => d.type), ['server_rack', 'thermostat', 'smart_meter']);
    const knobs = knobsFor('default', { intervalMs: 40, jitterMs: 5, faults: { malformed: 0.2, drop: 0.1 } });
    const fleet = new Fleet({
      devices: devices.map((d) => ({ credentials: { id: d.id, apiKey: d.api_key, type: d.type } })),
      knobs,
      transport: new HttpTransport({ baseUrl: sp.baseUrl }),
      seed: 5,
    });
    const started = await fleet.start();
    assert.deepStrictEqual(started, { connected: 3, failed: [] });
    await waitFor(() => fleet.counters.accepted >= 60, '60 accepted messages');
    await fleet.stop();
    const c = fleet.counters;
    assert.equal(c.failed, 0);
    assert.equal(c.errors, 0);
    assert.ok(c.malformed > 0 && c.dropped > 0, `faults injected: ${c.malformed} malformed, ${c.dropped} dropped`);
    assert.equal(c.rejected, c.malformed, 'every malformed payload answered 4xx');
    assert.equal(c.sent, c.accepted + c.rejected);

    let messages = 0;
    for (const d of devices) {
      const points = await stored(d);
      const timestamps = new Set(points.map((p) => p.ts));
      messages += timestamps.size;
      assert.equal(points.length, timestamps.size * FIELDS_PER_TYPE[d.type]!, `${d.type}: every message stored whole`);
    }
    assert.equal(messages, c.accepted);
  });

  test('a wrong API key is refused', async () => {
    const fleet = new Fleet({
      devices: [{ credentials: { id: 'nobody', apiKey: 'x'.repeat(40), type: 'smart_plug' } }],
      knobs: knobsFor('default', { intervalMs: 20, jitterMs: 0 }),
      transport: new HttpTransport({ baseUrl: sp.baseUrl }),
    });
    await fleet.start();
    await waitFor(() => fleet.counters.sent >= 3, '3 sends');
    await fleet.stop();
    assert.equal(fleet.counters.accepted, 0);
    assert.equal(fleet.counters.rejected, fleet.counters.sent);
  });
});

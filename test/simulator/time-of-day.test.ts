// The smart meter's time-of-day pattern, end to end: a simulated day in accelerated time over HTTP,
// read back as hourly means through the platform's aggregation API.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Fleet } from '../../src/simulator/fleet.ts';
import { HttpTransport } from '../../src/simulator/links/http-link.ts';
import { PERIOD_MULTIPLIER, periodOf } from '../../src/simulator/models/smart-meter.ts';
import { PlatformClient } from '../../src/simulator/platform-client.ts';
import { knobsFor } from '../../src/simulator/profiles.ts';
import { ADMIN_PASSWORD, startSimPlatform, waitFor, type SimPlatform } from './fixtures.ts';

describe('smart meter day over HTTP', () => {
  let sp: SimPlatform;
  before(async () => {
    sp = await startSimPlatform();
  });
  after(async () => sp?.stop());

  test('hourly means follow night 0.5, morning 1.2, day 0.8, evening 1.5, late 0.7 × base load', async () => {
    const client = new PlatformClient(sp.baseUrl);
    const token = await client.login('admin', ADMIN_PASSWORD);
    const [meter] = await client.provision(1, ['smart_meter'], 'tod');
    const dayStart = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) - 2 * 86_400_000;
    // 1 real second = 10 simulated hours; a reading every 20 ms is every 12 simulated minutes.
    const knobs = knobsFor('default', { intervalMs: 20, jitterMs: 0, variationPercent: 0, timeAcceleration: 36_000 });
    const fleet = new Fleet({
      devices: [{ credentials: { id: meter!.id, apiKey: meter!.api_key, type: 'smart_meter' } }],
      knobs,
      transport: new HttpTransport({ baseUrl: sp.baseUrl }),
      simStart: dayStart,
    });
    await fleet.start();
    await waitFor(() => fleet.device(meter!.id)!.time.now() > dayStart + 25 * 3_600_000, 'a simulated day', 30_000);
    await fleet.stop();
    assert.equal(fleet.counters.failed, 0);

    const q = new URLSearchParams({
      field: 'energy_usage',
      aggregation: 'mean',
      window: '1h',
      start_time: new Date(dayStart).toISOString(),
      end_time: new Date(dayStart + 86_400_000).toISOString(),
    });
    const res = await fetch(`${sp.baseUrl}/api/v1/telemetry/${meter!.id}/aggregated?${q}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { buckets: Array<{ start: string; value: number | null; count: number }> };
    const means = body.buckets.filter((b) => b.count > 0).map((b) => [new Date(b.start).getUTCHours(), b.value]);
    assert.equal(means.length, 24, 'every hour of the day has readings');
    assert.deepStrictEqual(
      means,
      means.map(([h]) => [h, Math.round(0.2 * PERIOD_MULTIPLIER[periodOf(h as number)] * 1e4) / 1e4]),
    );
  });
});

// Telemetry retention over real HTTP: a profile's policy, a field's override of it and the defaults
// decide what the leader's sweep drops; raw points go by whole days, their minute rollups stay while
// minute rollups are kept longer, hourly rollups stay; the admin storage overview reports it.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { onBothBackends } from '../accounts/backends.ts';

const DAY = 86_400_000;
const MINUTE = 60_000;

onBothBackends(
  'telemetry retention',
  (p) => {
    it('drops raw points by whole days, keeps their minute and hour rollups per the profile and field policies', async () => {
      const admin = await p().admin();
      const u = await p().user();
      const profile = await p().request('POST', '/api/v1/profiles', {
        token: u.token,
        body: {
          device_type: 'retained-meter',
          name: 'Retained meter',
          fields: [
            { key: 'power', label: 'Power', unit: 'W', kind: 'measurement' },
            { key: 'energy', label: 'Energy', unit: 'kWh', kind: 'counter', retention: { raw_days: 0 } },
          ],
          retention: { raw_days: 7, minute_days: 30, hour_days: 0 },
        },
      });
      assert.strictEqual(profile.status, 201, JSON.stringify(profile.body));
      const meter = await p().device(u, { device_type: 'retained-meter' });
      // Placed relative to now on minute edges: 40 days, 10 days and an hour ago.
      const now = Math.floor(Date.now() / MINUTE) * MINUTE;
      const ages = [40 * DAY, 10 * DAY, 60 * MINUTE];
      const body = ages.flatMap((age) => [
        { timestamp: now - age, power: 100, energy: 1 },
        { timestamp: now - age + 10_000, power: 300, energy: 2 },
      ]);
      const ingest = await p().request('POST', '/api/v1/telemetry', { headers: { 'x-api-key': meter.apiKey }, body });
      assert.strictEqual(ingest.status, 201, JSON.stringify(ingest.body));

      const swept = await p().request('POST', '/api/v1/admin/storage/retention', { token: admin.token });
      assert.strictEqual(swept.status, 200);
      assert.ok(swept.body.dropped_points >= 4, `dropped ${JSON.stringify(swept.body)}`);
      assert.ok(swept.body.kept_minute_rows >= 1, 'the 10-day-old power minute is kept as a rollup row');

      const history = async (field: string) => {
        const res = await p().request('GET', `/api/v1/telemetry/${meter.id}?start_time=${now - 50 * DAY}&end_time=${now}&fields=${field}&limit=100`, { token: u.token });
        assert.strictEqual(res.status, 200, JSON.stringify(res.body));
        return res.body.count as number;
      };
      assert.strictEqual(await history('power'), 2, 'power keeps raw points for 7 days: only the last hour is left');
      assert.strictEqual(await history('energy'), 6, 'energy keeps raw points forever (its field policy)');

      const aggregate = async (age: number, window: string) => {
        const start = now - age;
        const res = await p().request(
          'GET',
          `/api/v1/telemetry/${meter.id}/aggregated?field=power&aggregation=mean&window=${window}&start_time=${start}&end_time=${start + MINUTE}`,
          { token: u.token },
        );
        assert.strictEqual(res.status, 200, JSON.stringify(res.body));
        return res.body.buckets.map((b: { value: number | null; count: number }) => [b.value, b.count]);
      };
      assert.deepStrictEqual(await aggregate(10 * DAY, '1m'), [[200, 2]], 'minute rollups outlive the raw points (30 days)');
      assert.deepStrictEqual(await aggregate(40 * DAY, '1m'), [[null, 0]], 'minute rollups older than 30 days are gone');
      const hourStart = Math.floor((now - 40 * DAY) / 3_600_000) * 3_600_000;
      const hour = await p().request(
        'GET',
        `/api/v1/telemetry/${meter.id}/aggregated?field=power&aggregation=count&window=1h&start_time=${hourStart}&end_time=${hourStart + 3_600_000}`,
        { token: u.token },
      );
      assert.deepStrictEqual(hour.body.buckets.map((b: { value: number }) => b.value), [2], 'hourly rollups are kept forever');

      const overview = await p().request('GET', '/api/v1/admin/storage', { token: admin.token });
      assert.strictEqual(overview.status, 200);
      const mine = overview.body.profiles.find((x: { name: string }) => x.name === 'Retained meter');
      assert.deepStrictEqual(mine.retention, { raw_days: 7, minute_days: 30, hour_days: 0 });
      assert.strictEqual(mine.devices, 1);
      assert.strictEqual(mine.points, 8, 'two power points and six energy points are left in chunks');
      assert.ok(mine.bytes > 0);
      assert.deepStrictEqual(overview.body.defaults, { raw_days: 0, minute_days: 0, hour_days: 0 });
      assert.ok(overview.body.devices.some((d: { id: string; points: number }) => d.id === meter.id && d.points === 8));

      const again = await p().request('POST', '/api/v1/admin/storage/retention', { token: admin.token });
      assert.deepStrictEqual(again.body, { dropped_chunks: 0, dropped_points: 0, kept_minute_rows: 0, dropped_rollup_rows: 0 }, 'a second sweep finds nothing');
      const userTry = await p().request('POST', '/api/v1/admin/storage/retention', { token: u.token });
      assert.strictEqual(userTry.status, 403);
    });
  },
);

// Energy over real HTTP: hourly and daily consumption from a cumulative `energy` counter (with a
// reset) and from `energy_usage` readings, per device or over all devices a user may see, DST days.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { type Json, forEachStorage } from '../helpers/platform.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const D = Date.parse('2026-01-10T00:00:00.000Z');

forEachStorage('energy', (tp) => {
  let token: string;
  let strangerToken: string;
  const get = (path: string, t = token) => tp().api('GET', path, { token: t });
  const values = (r: Json) => r.body.buckets.map((b: Json) => b.value);

  before(async () => {
    token = (await tp().newUser('energy-user')).token;
    strangerToken = (await tp().newUser('energy-stranger')).token;
    const meter = (await tp().newDevice(token, { id: 'meter', name: 'Counter meter' })).api_key;
    const usage = (await tp().newDevice(token, { id: 'usage', name: 'Interval meter' })).api_key;
    const thermo = (await tp().newDevice(token, { id: 'thermo', name: 'No energy' })).api_key;
    const foreign = (await tp().newDevice(strangerToken, { id: 'foreign', name: 'Not yours' })).api_key;
    // Counter: +1 kWh every 15 minutes from 100, reset to 0 at 02:30, then +1 per 15 minutes again.
    const counter = [100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 0, 1, 2, 3, 4, 5];
    const send = async (key: string, body: unknown) => assert.equal((await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body })).status, 201);
    await send(meter, counter.map((energy, i) => ({ energy, timestamp: D + i * 15 * MIN })));
    await send(meter, { energy: 10, timestamp: D + 24 * HOUR });
    await send(usage, [0, 30, 60, 90].map((m) => ({ energy_usage: 0.5, timestamp: D + m * MIN })));
    await send(thermo, { temperature: 20, timestamp: D });
    await send(foreign, { energy_usage: 1000, timestamp: D });
    const hourly = (from: string, hours: number) => Array.from({ length: hours }, (_, i) => ({ energy_usage: 1, timestamp: Date.parse(from) + i * HOUR }));
    await send(usage, [...hourly('2026-03-28T23:00:00Z', 23), ...hourly('2026-10-24T22:00:00Z', 25)]);
  });

  it('computes hourly kWh from a cumulative counter, handling the reset', async () => {
    const res = await get('/api/v1/energy/hourly?device_id=meter&date=2026-01-10');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.device_ids, ['meter']);
    assert.equal(res.body.tz, 'UTC');
    assert.equal(res.body.unit, 'kWh');
    assert.deepEqual(res.body.sources, { meter: 'energy' });
    assert.equal(res.body.buckets.length, 24);
    assert.deepEqual(values(res), [3, 4, 3, 4, ...Array(20).fill(0)]);
    assert.equal(res.body.total, 14);
    assert.deepEqual(res.body.buckets[1], { label: '2026-01-10T01:00:00Z', start: '2026-01-10T01:00:00.000Z', end: '2026-01-10T02:00:00.000Z', value: 4 });
  });

  it('computes hourly kWh from energy_usage readings', async () => {
    const res = await get('/api/v1/energy/hourly?device_id=usage&date=2026-01-10');
    assert.deepEqual(res.body.sources, { usage: 'energy_usage' });
    assert.deepEqual(values(res), [1, 1, ...Array(22).fill(0)]);
    assert.equal(res.body.total, 2);
  });

  it('sums all devices the user may see when device_id is omitted', async () => {
    const res = await get('/api/v1/energy/hourly?date=2026-01-10');
    assert.deepEqual([...res.body.device_ids].sort(), ['meter', 'thermo', 'usage']);
    assert.deepEqual(res.body.sources, { meter: 'energy', thermo: null, usage: 'energy_usage' });
    assert.deepEqual(values(res), [4, 5, 3, 4, ...Array(20).fill(0)]);
    assert.equal(res.body.total, 16);
    const stranger = await get('/api/v1/energy/hourly?date=2026-01-10', strangerToken);
    assert.deepEqual(stranger.body.device_ids, ['foreign']);
    assert.equal(stranger.body.total, 1000);
  });

  it('computes daily kWh over a date range, counting across the day boundary', async () => {
    const res = await get('/api/v1/energy/daily?device_id=meter&start=2026-01-09&end=2026-01-11');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.buckets,
      [
        { label: '2026-01-09', start: '2026-01-09T00:00:00.000Z', end: '2026-01-10T00:00:00.000Z', value: 0 },
        { label: '2026-01-10', start: '2026-01-10T00:00:00.000Z', end: '2026-01-11T00:00:00.000Z', value: 14 },
        { label: '2026-01-11', start: '2026-01-11T00:00:00.000Z', end: '2026-01-12T00:00:00.000Z', value: 5 },
      ],
    );
    assert.equal(res.body.total, 19);
    const all = await get('/api/v1/energy/daily?start=2026-01-10&end=2026-01-10');
    assert.deepEqual(values(all), [16]);
  });

  it('gives 23 local hours on the spring DST day and 25 on the autumn one', async () => {
    const spring = await get('/api/v1/energy/hourly?device_id=usage&date=2026-03-29&tz=Europe/Berlin');
    assert.equal(spring.status, 200, spring.text);
    assert.equal(spring.body.buckets.length, 23);
    assert.deepEqual(values(spring), Array(23).fill(1));
    assert.deepEqual(spring.body.buckets.slice(1, 3).map((b: Json) => b.label), ['2026-03-29T01:00:00+01:00', '2026-03-29T03:00:00+02:00']);
    assert.equal(spring.body.buckets[0].start, '2026-03-28T23:00:00.000Z');
    assert.equal(spring.body.buckets[22].end, '2026-03-29T22:00:00.000Z');
    const autumn = await get('/api/v1/energy/hourly?device_id=usage&date=2026-10-25&tz=Europe/Berlin');
    assert.equal(autumn.body.buckets.length, 25);
    assert.deepEqual(values(autumn), Array(25).fill(1));
    assert.deepEqual(autumn.body.buckets.slice(2, 4).map((b: Json) => b.label), ['2026-10-25T02:00:00+02:00', '2026-10-25T02:00:00+01:00']);
    const days = await get('/api/v1/energy/daily?device_id=usage&start=2026-03-29&end=2026-03-29&tz=Europe/Berlin');
    assert.deepEqual(days.body.buckets, [{ label: '2026-03-29', start: '2026-03-28T23:00:00.000Z', end: '2026-03-29T22:00:00.000Z', value: 23 }]);
    const autumnDays = await get('/api/v1/energy/daily?device_id=usage&start=2026-10-24&end=2026-10-26&tz=Europe/Berlin');
    assert.deepEqual(values(autumnDays), [0, 25, 0]);
    assert.deepEqual(autumnDays.body.buckets.map((b: Json) => b.label), ['2026-10-24', '2026-10-25', '2026-10-26']);
  });

  it('sums a fleet larger than one page of devices (1000) completely', async () => {
    const fleet = (await tp().newUser('fleet-owner')).token;
    const ids = Array.from({ length: 1005 }, (_, i) => `fleet-${String(i).padStart(4, '0')}`);
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(ids.slice(i, i + 50).map((id) => tp().newDevice(fleet, { id, name: id })));
    }
    // Only the last-created device (listed first) and the first-created one (listed last) report energy.
    for (const id of [ids[0]!, ids[ids.length - 1]!]) {
      const key = (await tp().api('POST', `/api/v1/devices/${id}/api-key`, { token: fleet })).body.api_key;
      assert.equal((await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: { energy_usage: 2.5, timestamp: D } })).status, 201);
    }
    const res = await get('/api/v1/energy/daily?start=2026-01-10&end=2026-01-10', fleet);
    assert.equal(res.status, 200);
    assert.equal(res.body.device_ids.length, 1005);
    assert.equal(res.body.total, 5);
  });

  it('refuses bad dates, zones and foreign devices', async () => {
    const cases: Array<[string, number, string, RegExp]> = [
      ['/hourly?date=2026-02-30', 400, 'INVALID_TIME', /^date: /],
      ['/hourly?date=10.01.2026', 400, 'INVALID_TIME', /^date: /],
      ['/hourly', 400, 'VALIDATION_FAILED', /^querystring\.date: /],
      ['/hourly?date=2026-01-10&tz=Nowhere/City', 400, 'INVALID_TIME', /^tz: /],
      ['/daily?start=2026-01-11&end=2026-01-10', 400, 'INVALID_TIME', /end must not be before start/],
      ['/daily?start=2024-01-01&end=2026-01-10', 400, 'INVALID_TIME', /at most 366 days/],
      ['/hourly?date=2026-01-10&device_id=foreign', 404, 'DEVICE_NOT_FOUND', /foreign/],
    ];
    for (const [suffix, status, code, message] of cases) {
      const res = await get(`/api/v1/energy${suffix}`);
      assert.equal(res.status, status, `${suffix}: ${res.text}`);
      assert.equal(res.body.error.code, code, suffix);
      assert.match(res.body.error.message, message, suffix);
    }
    assert.equal((await tp().api('GET', '/api/v1/energy/hourly?date=2026-01-10')).status, 401);
  });
});

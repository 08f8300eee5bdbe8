// Device lists for real fleets over real HTTP: online/offline filters, sort orders with a stable
// tie-break, totals, pages, search, the latest values of each device (profile main fields, or the
// newest fields of unprofiled devices) and the overview summary for an admin and for plain users.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { type Json, forEachStorage } from '../helpers/platform.ts';

const COUNT = 30;
const TYPES = ['thermostat', 'sensor', 'camera', 'mystery_box'] as const; // mystery_box has no profile
const PLACES = ['Kitchen', 'attic', 'Cellar', 'garage', 'Hall'];
/** Devices that send telemetry over HTTP (online), and devices last seen an hour ago (offline). */
const ONLINE = new Set([0, 1, 2, 3, 5, 8, 13, 21, 22]);
const STALE = [4, 6, 7, 20, 25];
/** fl-00..fl-19 are alice's, fl-20..fl-29 bob's; bob shares fl-21 with alice. */
const SHARED = 21;

const idOf = (i: number) => `fl-${String(i).padStart(2, '0')}`;
const nameOf = (i: number) => `${PLACES[i % PLACES.length]} ${i}`;
const typeOf = (i: number) => TYPES[i % TYPES.length]!;
const statusOf = (i: number) => (i % 7 === 3 ? 'maintenance' : i % 11 === 5 ? 'inactive' : 'active');
const all = Array.from({ length: COUNT }, (_, i) => i);
const aliceSees = all.filter((i) => i < 20 || i === SHARED);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** The documented name order: case-insensitive, ties by id. */
const byName = (a: number, b: number) => cmp(nameOf(a).toLowerCase(), nameOf(b).toLowerCase()) || cmp(idOf(a), idOf(b));
const ids = (list: readonly number[]) => list.map(idOf);
const listed = (res: Json): string[] => res.body.devices.map((d: Json) => d.id);

forEachStorage('device lists', (tp) => {
  let alice: { token: string; id: string };
  let bob: { token: string; id: string };
  let carol: { token: string; id: string };
  let admin = '';
  const now = Date.now();
  const at = (secondsAgo: number) => now - secondsAgo * 1000;

  const send = async (key: string, data: Record<string, unknown>, timestamp: number) => {
    const res = await tp().api('POST', '/api/v1/telemetry', { apiKey: key, body: { data, timestamp } });
    assert.equal(res.status, 201, res.text);
  };
  const get = async (token: string, query: string) => {
    const res = await tp().api('GET', `/api/v1/devices?${query}`, { token });
    assert.equal(res.status, 200, res.text);
    return res;
  };

  before(async () => {
    alice = await tp().newUser('alice');
    bob = await tp().newUser('bob');
    carol = await tp().newUser('carol');
    admin = await tp().adminToken();
    const keys: string[] = [];
    for (const i of all) {
      const device = await tp().newDevice(i < 20 ? alice.token : bob.token, { id: idOf(i), name: nameOf(i), device_type: typeOf(i), status: statusOf(i) });
      keys.push(device.api_key);
    }
    const share = await tp().api('POST', `/api/v1/devices/${idOf(SHARED)}/access`, { token: bob.token, body: { user_id: alice.id, level: 'read' } });
    assert.equal(share.status, 201, share.text);
    for (const i of ONLINE) {
      const key = keys[i]!;
      const type = typeOf(i);
      if (type === 'thermostat') {
        await send(key, { temperature: 19.5, humidity: 40, target_temperature: 21, rssi: -60 }, at(30));
        await send(key, { temperature: 20 + i / 10 }, at(10));
      } else if (type === 'sensor') await send(key, { temperature: i, battery_level: 90 }, at(20));
      else if (type === 'camera') await send(key, { motion_detected: true }, at(20));
      else for (const [n, field] of ['a', 'b', 'c', 'd', 'e', 'f'].entries()) await send(key, { [field]: n }, at(60 - n * 10));
    }
    // Offline by a stale last_seen: as a device heard from an hour ago (written as the presence flush would).
    await tp().platform.storage.touchDevices(new Map(STALE.map((i) => [idOf(i), at(3600 + i)])));
  });

  it('filters online and offline devices as their online field says, with exact totals', async () => {
    const online = await get(alice.token, 'online=true&sort=name&limit=100');
    const expected = aliceSees.filter((i) => ONLINE.has(i)).sort(byName);
    assert.deepEqual(listed(online), ids(expected));
    assert.equal(online.body.total, 8);
    assert.ok(online.body.devices.every((d: Json) => d.online === true));
    const offline = await get(alice.token, 'online=false&sort=name&limit=100');
    assert.deepEqual(listed(offline), ids(aliceSees.filter((i) => !ONLINE.has(i)).sort(byName)));
    assert.equal(offline.body.total, 13);
    assert.ok(offline.body.devices.every((d: Json) => d.online === false));
    const adminOnline = await get(admin, 'online=true&type=sensor&sort=name');
    assert.deepEqual(listed(adminOnline), ids(all.filter((i) => ONLINE.has(i) && typeOf(i) === 'sensor').sort(byName)));
    assert.equal((await get(bob.token, 'online=true')).body.total, 2);
  });

  it('pages a filtered, sorted list without overlap, every page with the same total', async () => {
    const seen: string[] = [];
    for (let offset = 0; offset < 15; offset += 5) {
      const page = await get(alice.token, `online=false&sort=name&order=desc&limit=5&offset=${offset}`);
      assert.equal(page.body.total, 13);
      seen.push(...listed(page));
    }
    const expected = aliceSees.filter((i) => !ONLINE.has(i)).sort((a, b) => byName(b, a) || cmp(idOf(a), idOf(b)));
    assert.deepEqual(seen, ids(expected));
  });

  it('sorts by type, created_at and last_seen (never-seen last), ties by id', async () => {
    const byType = [...all].sort((a, b) => cmp(typeOf(a), typeOf(b)) || cmp(idOf(a), idOf(b)));
    assert.deepEqual(listed(await get(admin, 'sort=device_type&limit=100')), ids(byType));
    const byTypeDesc = [...all].sort((a, b) => cmp(typeOf(b), typeOf(a)) || cmp(idOf(a), idOf(b)));
    assert.deepEqual(listed(await get(admin, 'sort=device_type&order=desc&limit=100')), ids(byTypeDesc));
    // Created one after another: created_at ascending is creation order (ties, if any, by id: also creation order).
    assert.deepEqual(listed(await get(admin, 'sort=created_at&order=asc&limit=100')), ids(all));
    const stale = [...STALE].sort((a, b) => a - b); // seen 3600 + i seconds ago: smaller i is more recent
    const neverSeen = all.filter((i) => !ONLINE.has(i) && !STALE.includes(i));
    assert.deepEqual(listed(await get(admin, 'online=false&sort=last_seen&order=desc&limit=100')), ids([...stale, ...neverSeen]));
    assert.deepEqual(listed(await get(admin, 'online=false&sort=last_seen&order=asc&limit=100')), ids([...[...stale].reverse(), ...neverSeen]));
  });

  it('searches id and name case-insensitively, in a stable order', async () => {
    const kitchens = aliceSees.filter((i) => nameOf(i).startsWith('Kitchen')).sort(byName);
    const res = await get(alice.token, 'q=kITCHEN&sort=name');
    assert.deepEqual(listed(res), ids(kitchens));
    assert.equal(res.body.total, kitchens.length);
    const byId = await get(admin, 'q=FL-2&sort=name');
    assert.deepEqual(listed(byId), ids(all.filter((i) => idOf(i).includes('fl-2')).sort(byName)));
    assert.equal(byId.body.total, 10);
  });

  it('carries the latest values of each device: profile main fields in order, else the newest four fields', async () => {
    const res = await get(admin, 'sort=created_at&order=asc&limit=100');
    const latest = new Map<string, Json>(res.body.devices.map((d: Json) => [d.id, d.latest]));
    const iso = (secondsAgo: number) => new Date(at(secondsAgo)).toISOString();
    // Thermostat: main fields temperature, target_temperature, humidity (rssi is not one of them).
    assert.deepEqual(Object.keys(latest.get('fl-08')), ['temperature', 'target_temperature', 'humidity']);
    assert.deepEqual(latest.get('fl-08'), {
      temperature: { value: 20.8, ts: iso(10) },
      target_temperature: { value: 21, ts: iso(30) },
      humidity: { value: 40, ts: iso(30) },
    });
    // Sensor: temperature, humidity, battery_level; humidity was never sent.
    assert.deepEqual(latest.get('fl-13'), { temperature: { value: 13, ts: iso(20) }, battery_level: { value: 90, ts: iso(20) } });
    assert.deepEqual(Object.keys(latest.get('fl-13')), ['temperature', 'battery_level']);
    assert.deepEqual(latest.get('fl-22'), { motion_detected: { value: true, ts: iso(20) } });
    // Unprofiled: its four newest fields, newest first.
    assert.deepEqual(Object.keys(latest.get('fl-03')), ['f', 'e', 'd', 'c']);
    assert.deepEqual(latest.get('fl-03').f, { value: 5, ts: iso(10) });
    for (const i of all.filter((n) => !ONLINE.has(n))) assert.deepEqual(latest.get(idOf(i)), {}, idOf(i));
  });

  it('summarises the fleet an admin sees and the devices a plain user sees', async () => {
    const expectFor = (visible: readonly number[]) => {
      const byStatus: Record<string, number> = { active: 0, inactive: 0, maintenance: 0 };
      const byType: Record<string, { total: number; online: number }> = {};
      for (const i of visible) {
        byStatus[statusOf(i)]! += 1;
        const t = (byType[typeOf(i)] ??= { total: 0, online: 0 });
        t.total += 1;
        if (ONLINE.has(i)) t.online += 1;
      }
      const online = visible.filter((i) => ONLINE.has(i)).length;
      return { total: visible.length, online, offline: visible.length - online, by_status: byStatus, by_type: byType };
    };
    const forAdmin = await tp().api('GET', '/api/v1/devices/summary', { token: admin });
    assert.equal(forAdmin.status, 200, forAdmin.text);
    const { ingest: adminIngest, ...adminCounts } = forAdmin.body;
    assert.deepEqual(adminCounts, expectFor(all));
    assert.deepEqual(Object.keys(adminCounts.by_type), ['camera', 'mystery_box', 'sensor', 'thermostat']);
    assert.equal(adminIngest.scope, 'platform');
    assert.ok(adminIngest.points_per_second > 0);

    const forAlice = await tp().api('GET', '/api/v1/devices/summary', { token: alice.token });
    const { ingest: aliceIngest, ...aliceCounts } = forAlice.body;
    assert.deepEqual(aliceCounts, expectFor(aliceSees));
    assert.equal(aliceIngest.scope, 'visible_devices');
    assert.ok(aliceIngest.points_per_second > 0 && aliceIngest.points_per_second < adminIngest.points_per_second);

    const forCarol = await tp().api('GET', '/api/v1/devices/summary', { token: carol.token });
    assert.deepEqual(forCarol.body, {
      total: 0,
      online: 0,
      offline: 0,
      by_status: { active: 0, inactive: 0, maintenance: 0 },
      by_type: {},
      ingest: { points_per_second: 0, scope: 'visible_devices' },
    });
    assert.equal((await tp().api('GET', '/api/v1/devices/summary')).status, 401);
  });

  it('refuses an unknown sort, order or online value with 400 naming the parameter', async () => {
    for (const [query, parameter] of [
      ['sort=colour', 'sort'],
      ['order=up', 'order'],
      ['online=yes', 'online'],
    ] as const) {
      const res = await tp().api('GET', `/api/v1/devices?${query}`, { token: alice.token });
      assert.equal(res.status, 400, query);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.match(res.body.error.message, new RegExp(parameter));
    }
  });

  it('keeps "summary" free: no device can take that id', async () => {
    const res = await tp().api('POST', '/api/v1/devices', { token: alice.token, body: { id: 'summary', name: 'x' } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'VALIDATION_FAILED');
  });
});

// Contract: device lists at fleet scale — sorting with a stable tie-break, online/offline judged from
// last_seen plus known connection state, fast text search, GROUP BY counts, and latest values of many devices.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { ConnectivityFacts, DeviceFilter } from '../../../src/domain/device.ts';
import type { Storage } from '../../../src/storage/storage.ts';
import { MINUTE, T0, type OpenStorage, deviceInput, freshDatabase, makeUser, pt } from './fixture.ts';

const NOW = Date.now();
const FRESH_AFTER = NOW - 5 * MINUTE;
const NOTHING_KNOWN: ConnectivityFacts = { online: [], offline: [], freshAfter: FRESH_AFTER };

async function ids(storage: Storage, filter: Partial<DeviceFilter>): Promise<{ ids: string[]; total: number }> {
  const page = await storage.listDevices({ limit: 50, offset: 0, ...filter });
  return { ids: page.items.map((d) => d.id), total: page.total };
}

export function deviceListContract(open: OpenStorage): void {
  describe('device lists', () => {
    const db = freshDatabase(open);
    let alice = '';
    let bob = '';

    before(async () => {
      alice = (await makeUser(db.storage)).id;
      bob = (await makeUser(db.storage)).id;
      const devices = [
        deviceInput(alice, { id: 'dl-1', name: 'beta', deviceType: 'sensor', location: 'Küche' }),
        deviceInput(alice, { id: 'dl-2', name: 'Alpha', deviceType: 'thermostat' }),
        deviceInput(alice, { id: 'dl-3', name: 'alpha', deviceType: 'sensor', description: '100% sure' }),
        deviceInput(alice, { id: 'dl-4', name: 'Gamma', deviceType: 'sensor', status: 'maintenance' }),
        deviceInput(bob, { id: 'dl-5', name: 'Delta', deviceType: 'camera' }),
        deviceInput(bob, { id: 'dl-6', name: 'epsilon', deviceType: 'camera' }),
      ];
      for (const d of devices) await db.storage.createDevice(d);
      await db.storage.grantAccess({ deviceId: 'dl-5', userId: alice, level: 'read', grantedBy: bob });
      await db.storage.touchDevices(new Map([['dl-1', NOW - 10_000], ['dl-3', NOW - 3_600_000], ['dl-5', NOW - 1_000]]));
    });

    it('sorts by name case-insensitively, ties by id, in both orders', async () => {
      assert.deepStrictEqual((await ids(db.storage, { sort: 'name', order: 'asc' })).ids, ['dl-2', 'dl-3', 'dl-1', 'dl-5', 'dl-6', 'dl-4']);
      assert.deepStrictEqual((await ids(db.storage, { sort: 'name', order: 'desc' })).ids, ['dl-4', 'dl-6', 'dl-5', 'dl-1', 'dl-2', 'dl-3']);
    });

    it('sorts by type with ties by id, and by last_seen with never-seen devices last both ways', async () => {
      assert.deepStrictEqual((await ids(db.storage, { sort: 'device_type' })).ids, ['dl-5', 'dl-6', 'dl-1', 'dl-3', 'dl-4', 'dl-2']);
      assert.deepStrictEqual((await ids(db.storage, { sort: 'last_seen', order: 'desc' })).ids, ['dl-5', 'dl-1', 'dl-3', 'dl-2', 'dl-4', 'dl-6']);
      assert.deepStrictEqual((await ids(db.storage, { sort: 'last_seen', order: 'asc' })).ids, ['dl-3', 'dl-1', 'dl-5', 'dl-2', 'dl-4', 'dl-6']);
    });

    it('pages a sorted list without overlap and counts every match', async () => {
      const first = await ids(db.storage, { sort: 'name', limit: 4 });
      const second = await ids(db.storage, { sort: 'name', limit: 4, offset: 4 });
      assert.deepStrictEqual(first, { ids: ['dl-2', 'dl-3', 'dl-1', 'dl-5'], total: 6 });
      assert.deepStrictEqual(second, { ids: ['dl-6', 'dl-4'], total: 6 });
    });

    it('filters online and offline by last_seen, letting known connection state win', async () => {
      const online = (connectivity: ConnectivityFacts) => ids(db.storage, { online: true, connectivity, sort: 'name' });
      const offline = (connectivity: ConnectivityFacts) => ids(db.storage, { online: false, connectivity, sort: 'name' });
      assert.deepStrictEqual(await online(NOTHING_KNOWN), { ids: ['dl-1', 'dl-5'], total: 2 });
      assert.deepStrictEqual(await offline(NOTHING_KNOWN), { ids: ['dl-2', 'dl-3', 'dl-6', 'dl-4'], total: 4 });
      const known: ConnectivityFacts = { online: ['dl-2', 'dl-3'], offline: ['dl-5'], freshAfter: FRESH_AFTER };
      assert.deepStrictEqual(await online(known), { ids: ['dl-2', 'dl-3', 'dl-1'], total: 3 });
      assert.deepStrictEqual(await offline(known), { ids: ['dl-5', 'dl-6', 'dl-4'], total: 3 });
      assert.deepStrictEqual(await ids(db.storage, { online: true, connectivity: known, visibleTo: bob }), { ids: [], total: 0 });
    });

    it('searches id, name, description, location and type case-insensitively, non-ASCII and LIKE characters literally', async () => {
      assert.deepStrictEqual(await ids(db.storage, { text: 'ALPHA', sort: 'name' }), { ids: ['dl-2', 'dl-3'], total: 2 });
      assert.deepStrictEqual(await ids(db.storage, { text: 'DL-6' }), { ids: ['dl-6'], total: 1 });
      assert.deepStrictEqual(await ids(db.storage, { text: 'KÜCHE' }), { ids: ['dl-1'], total: 1 });
      assert.deepStrictEqual(await ids(db.storage, { text: '0%' }), { ids: ['dl-3'], total: 1 });
      assert.deepStrictEqual(await ids(db.storage, { text: 'a_p' }), { ids: [], total: 0 });
    });

    it('counts devices by status and type with their online counts, over all or a user\'s visible devices', async () => {
      const byGroup = (rows: Awaited<ReturnType<Storage['countDevices']>>) =>
        [...rows].sort((a, b) => `${a.status}/${a.deviceType}`.localeCompare(`${b.status}/${b.deviceType}`));
      assert.deepStrictEqual(byGroup(await db.storage.countDevices({ connectivity: NOTHING_KNOWN })), [
        { status: 'active', deviceType: 'camera', total: 2, online: 1 },
        { status: 'active', deviceType: 'sensor', total: 2, online: 1 },
        { status: 'active', deviceType: 'thermostat', total: 1, online: 0 },
        { status: 'maintenance', deviceType: 'sensor', total: 1, online: 0 },
      ]);
      const known: ConnectivityFacts = { online: ['dl-4'], offline: ['dl-1'], freshAfter: FRESH_AFTER };
      assert.deepStrictEqual(byGroup(await db.storage.countDevices({ visibleTo: alice, connectivity: known })), [
        { status: 'active', deviceType: 'camera', total: 1, online: 1 },
        { status: 'active', deviceType: 'sensor', total: 2, online: 0 },
        { status: 'active', deviceType: 'thermostat', total: 1, online: 0 },
        { status: 'maintenance', deviceType: 'sensor', total: 1, online: 1 },
      ]);
      assert.deepStrictEqual((await db.storage.visibleDeviceIds(alice)).sort(), ['dl-1', 'dl-2', 'dl-3', 'dl-4', 'dl-5']);
      assert.deepStrictEqual(await db.storage.visibleDeviceIds((await makeUser(db.storage)).id), []);
    });

    it('reads the latest point of every field of many devices at once, or of the fields asked for', async () => {
      await db.storage.writePoints([
        pt('dl-1', 'temperature', T0, 20.5),
        pt('dl-1', 'temperature', T0 + 2000, 21.5),
        pt('dl-1', 'humidity', T0 + 1000, 40),
        pt('dl-1', 'humidity', T0 - 1000, 45),
        pt('dl-3', 'mode', T0, 'eco'),
        pt('dl-3', 'on', T0 + 5, true),
        pt('dl-6', 'temperature', T0, 3),
      ]);
      assert.deepStrictEqual(await db.storage.latestPointsOf(['dl-3', 'dl-1', 'dl-2', 'no-such-device']), [
        pt('dl-1', 'humidity', T0 + 1000, 40),
        pt('dl-1', 'temperature', T0 + 2000, 21.5),
        pt('dl-3', 'mode', T0, 'eco'),
        pt('dl-3', 'on', T0 + 5, true),
      ]);
      assert.deepStrictEqual(await db.storage.latestPointsOf(['dl-1', 'dl-3', 'dl-6'], ['temperature', 'on']), [
        pt('dl-1', 'temperature', T0 + 2000, 21.5),
        pt('dl-3', 'on', T0 + 5, true),
        pt('dl-6', 'temperature', T0, 3),
      ]);
      assert.deepStrictEqual(await db.storage.latestPointsOf([]), []);
      assert.deepStrictEqual(await db.storage.latestPointsOf(['dl-1'], []), []);
    });
  });
}

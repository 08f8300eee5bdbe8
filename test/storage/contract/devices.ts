// Contract: devices, their listing and search, API key hashes, last_seen and deletion with telemetry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Device, DeviceFilter } from '../../../src/domain/device.ts';
import type { User } from '../../../src/domain/user.ts';
import type { Storage } from '../../../src/storage/storage.ts';
import {
  HOUR,
  MINUTE,
  T0,
  type OpenStorage,
  allPoints,
  deviceInput,
  freshDatabase,
  makeDevice,
  makeUser,
  pt,
} from './fixture.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The listing order: newest first, then by id. */
function newestFirst(devices: readonly Device[]): Device[] {
  return [...devices].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function deviceContract(open: OpenStorage): void {
  describe('devices', () => {
    const db = freshDatabase(open);

    it('creates a device and reads it back exactly, JSON included', async () => {
      const owner = await makeUser(db.storage);
      const input = deviceInput(owner.id, {
        name: 'Boiler room meter',
        description: 'Three-phase meter',
        deviceType: 'energy_meter',
        location: 'Keller',
        firmwareVersion: '1.4.2',
        hardwareVersion: 'rev C',
        status: 'maintenance',
        metadata: { vendor: 'Acme', phases: 3, tags: ['a', 'b'], nested: { ok: true, none: null }, unit: 'kWh·°C' },
        config: { interval_s: 15, thresholds: { max: 40.5, min: -10 } },
      });
      const before = Date.now();
      const created = await db.storage.createDevice(input);
      const after = Date.now();
      const { apiKeyHash: _hash, ...fields } = input;
      assert.ok(created.createdAt >= before && created.createdAt <= after, `createdAt ${created.createdAt} not in [${before}, ${after}]`);
      assert.deepStrictEqual(created, { ...fields, createdAt: created.createdAt, updatedAt: created.createdAt, lastSeen: null });
      assert.deepStrictEqual(await db.storage.getDevice(input.id), created);
      assert.strictEqual(await db.storage.getDevice('no-such-device'), undefined);
    });

    it('rejects a device whose owner does not exist, and a second device with the same id', async () => {
      const input = deviceInput('no-such-user');
      await assert.rejects(db.storage.createDevice(input));
      assert.strictEqual(await db.storage.getDevice(input.id), undefined);
      const device = await makeDevice(db.storage);
      await assert.rejects(db.storage.createDevice(deviceInput(device.ownerId, { id: device.id, apiKeyHash: 'other-hash' })));
    });

    it('updateDevice applies a patch, round-trips JSON and moves updatedAt', async () => {
      const device = await makeDevice(db.storage, { description: 'old', location: 'Hall', metadata: { a: 1 } });
      await sleep(5);
      const patch = {
        name: 'Renamed',
        description: null,
        location: 'Garage',
        status: 'inactive' as const,
        metadata: { b: [1, 2, { c: 'ü' }], flag: false },
        config: { target_temperature: 21.5 },
      };
      const before = Date.now();
      const updated = await db.storage.updateDevice(device.id, patch);
      const after = Date.now();
      assert.ok(updated, 'the device exists');
      assert.ok(updated.updatedAt >= before && updated.updatedAt <= after, `updatedAt ${updated.updatedAt} not in [${before}, ${after}]`);
      assert.ok(updated.updatedAt > device.updatedAt, 'updatedAt moved forward');
      assert.deepStrictEqual(updated, { ...device, ...patch, updatedAt: updated.updatedAt });
      assert.deepStrictEqual(await db.storage.getDevice(device.id), updated);

      const again = await db.storage.updateDevice(device.id, { firmwareVersion: '2.0.0' });
      assert.deepStrictEqual(again, { ...updated, firmwareVersion: '2.0.0', updatedAt: again?.updatedAt });
      assert.strictEqual(await db.storage.updateDevice('no-such-device', { name: 'x' }), undefined);
    });

    it('finds a device by API key hash and rotates the hash', async () => {
      const device = await makeDevice(db.storage, { apiKeyHash: 'hash-before' });
      assert.deepStrictEqual(await db.storage.findDeviceByKeyHash('hash-before'), { id: device.id, keyHash: 'hash-before' });
      assert.strictEqual(await db.storage.setDeviceKeyHash(device.id, 'hash-after'), true);
      assert.strictEqual(await db.storage.findDeviceByKeyHash('hash-before'), undefined);
      assert.deepStrictEqual(await db.storage.findDeviceByKeyHash('hash-after'), { id: device.id, keyHash: 'hash-after' });
      assert.strictEqual(await db.storage.setDeviceKeyHash('no-such-device', 'x'), false);
      assert.strictEqual(await db.storage.findDeviceByKeyHash('x'), undefined);
    });

    it('lists every device with its status and key hash, by id', async () => {
      const b = await makeDevice(db.storage, { id: 'cred-b', apiKeyHash: 'hash-b', status: 'inactive' });
      const a = await makeDevice(db.storage, { id: 'cred-a', apiKeyHash: 'hash-a' });
      const listed = (await db.storage.listDeviceCredentials()).filter((d) => d.id.startsWith('cred-'));
      assert.deepStrictEqual(listed, [
        { id: a.id, status: 'active', keyHash: 'hash-a' },
        { id: b.id, status: 'inactive', keyHash: 'hash-b' },
      ]);
    });

    it('touchDevices sets last_seen for many devices and never moves it backwards', async () => {
      const a = await makeDevice(db.storage);
      const b = await makeDevice(db.storage);
      await db.storage.touchDevices(new Map([[a.id, T0], [b.id, T0 + 500], ['no-such-device', T0]]));
      assert.strictEqual((await db.storage.getDevice(a.id))?.lastSeen, T0);
      assert.strictEqual((await db.storage.getDevice(b.id))?.lastSeen, T0 + 500);
      await db.storage.touchDevices(new Map([[a.id, T0 - 1000], [b.id, T0 + 900]]));
      assert.strictEqual((await db.storage.getDevice(a.id))?.lastSeen, T0);
      assert.strictEqual((await db.storage.getDevice(b.id))?.lastSeen, T0 + 900);
      await db.storage.touchDevices(new Map());
      assert.strictEqual((await db.storage.getDevice(a.id))?.lastSeen, T0);
    });

    it('deleteDevice removes the device with its points, rollups and fields, and nothing of others', async () => {
      const owner = await makeUser(db.storage);
      const gone = await db.storage.createDevice(deviceInput(owner.id));
      const kept = await db.storage.createDevice(deviceInput(owner.id));
      const points = (id: string) => [
        pt(id, 'power', T0, 10),
        pt(id, 'power', T0 + 2 * HOUR, 30),
        pt(id, 'on', T0 + MINUTE, true),
        pt(id, 'mode', T0, 'eco'),
      ];
      await db.storage.writePoints([...points(gone.id), ...points(kept.id)]);
      const keptPoints = await allPoints(db.storage, kept.id, 0, T0 + 10 * HOUR);
      const keptRollups = await db.storage.readRollups({ deviceId: kept.id, field: 'power', granularity: 'hour', start: 0, end: T0 + 10 * HOUR });
      assert.strictEqual(keptPoints.length, 4);
      assert.strictEqual(keptRollups.length, 2);

      assert.strictEqual(await db.storage.deleteDevice(gone.id), true);
      assert.strictEqual(await db.storage.getDevice(gone.id), undefined);
      assert.deepStrictEqual(await allPoints(db.storage, gone.id, 0, T0 + 10 * HOUR), []);
      assert.deepStrictEqual(await db.storage.latestPoints(gone.id), []);
      assert.deepStrictEqual(await db.storage.fieldsOf(gone.id), []);
      for (const granularity of ['minute', 'hour'] as const) {
        for (const field of ['power', 'on']) {
          const query = { deviceId: gone.id, field, granularity, start: 0, end: T0 + 10 * HOUR };
          assert.deepStrictEqual(await db.storage.readRollups(query), []);
          assert.strictEqual(await db.storage.rollupBefore(gone.id, field, granularity, T0 + 10 * HOUR), undefined);
        }
      }
      assert.deepStrictEqual(await allPoints(db.storage, kept.id, 0, T0 + 10 * HOUR), keptPoints);
      assert.deepStrictEqual(
        await db.storage.readRollups({ deviceId: kept.id, field: 'power', granularity: 'hour', start: 0, end: T0 + 10 * HOUR }),
        keptRollups,
      );
      assert.strictEqual(await db.storage.deleteDevice(gone.id), false);
      assert.strictEqual(await db.storage.deleteDevice('no-such-device'), false);

      // The id can be used again and starts empty.
      await db.storage.createDevice(deviceInput(owner.id, { id: gone.id }));
      // 'power' again too: a series this handle wrote before the deletion (PostgreSQL remembers those).
      await db.storage.writePoints([pt(gone.id, 'voltage', T0, 230), pt(gone.id, 'power', T0 + 5 * HOUR, 5)]);
      assert.deepStrictEqual(await db.storage.fieldsOf(gone.id), ['power', 'voltage']);
      assert.deepStrictEqual(await allPoints(db.storage, gone.id, 0, T0 + 10 * HOUR), [pt(gone.id, 'voltage', T0, 230), pt(gone.id, 'power', T0 + 5 * HOUR, 5)]);
    });
  });

  describe('device listing', () => {
    const db = freshDatabase(open);
    let alice: User;
    let bob: User;
    const devices: Record<'alpha' | 'beta' | 'gamma' | 'delta', Device> = {} as never;
    const list = (filter: Partial<DeviceFilter>) => db.storage.listDevices({ limit: 100, offset: 0, ...filter });
    const ids = async (filter: Partial<DeviceFilter>) => {
      const page = await list(filter);
      return { ids: page.items.map((d) => d.id).sort(), total: page.total };
    };

    it('creates the fleet', async () => {
      alice = await makeUser(db.storage);
      bob = await makeUser(db.storage);
      const make = (s: Storage, owner: User, id: string, over: Parameters<typeof deviceInput>[1]) =>
        s.createDevice(deviceInput(owner.id, { id, ...over }));
      devices.alpha = await make(db.storage, alice, 'dev-alpha', { name: 'Living room sensor', location: 'Wohnzimmer', deviceType: 'thermostat' });
      devices.beta = await make(db.storage, alice, 'dev-beta', {
        name: 'Main meter',
        description: 'Counts 100% of the house',
        location: 'Basement',
        deviceType: 'meter',
        status: 'inactive',
      });
      devices.gamma = await make(db.storage, alice, 'dev-gamma', {
        name: 'PV_unit 3',
        description: 'Roof array',
        deviceType: 'inverter',
        status: 'maintenance',
      });
      devices.delta = await make(db.storage, bob, 'dev-delta', { name: 'KÜCHE Licht', location: 'Kitchen', deviceType: 'light_switch' });
    });

    it('lists everything newest first with the total', async () => {
      const page = await list({});
      assert.deepStrictEqual(page, { items: newestFirst(Object.values(devices)), total: 4 });
    });

    it('filters by owner, type, location and status, alone and together', async () => {
      assert.deepStrictEqual(await ids({ ownerId: alice.id }), { ids: ['dev-alpha', 'dev-beta', 'dev-gamma'], total: 3 });
      assert.deepStrictEqual(await ids({ ownerId: bob.id }), { ids: ['dev-delta'], total: 1 });
      assert.deepStrictEqual(await ids({ deviceType: 'meter' }), { ids: ['dev-beta'], total: 1 });
      assert.deepStrictEqual(await ids({ location: 'Kitchen' }), { ids: ['dev-delta'], total: 1 });
      assert.deepStrictEqual(await ids({ status: 'active' }), { ids: ['dev-alpha', 'dev-delta'], total: 2 });
      assert.deepStrictEqual(await ids({ ownerId: alice.id, status: 'active' }), { ids: ['dev-alpha'], total: 1 });
      assert.deepStrictEqual(await ids({ ownerId: 'nobody' }), { ids: [], total: 0 });
    });

    it('searches id, name, description, location and type case-insensitively', async () => {
      assert.deepStrictEqual(await ids({ text: 'ALPHA' }), { ids: ['dev-alpha'], total: 1 });
      assert.deepStrictEqual(await ids({ text: 'living ROOM' }), { ids: ['dev-alpha'], total: 1 });
      assert.deepStrictEqual(await ids({ text: 'roof ARRAY' }), { ids: ['dev-gamma'], total: 1 });
      assert.deepStrictEqual(await ids({ text: 'basement' }), { ids: ['dev-beta'], total: 1 });
      assert.deepStrictEqual(await ids({ text: 'INVERTER' }), { ids: ['dev-gamma'], total: 1 });
      assert.deepStrictEqual(await ids({ text: 'küche' }), { ids: ['dev-delta'], total: 1 });
      assert.deepStrictEqual(await ids({ text: 'dev-' }), { ids: ['dev-alpha', 'dev-beta', 'dev-delta', 'dev-gamma'], total: 4 });
      assert.deepStrictEqual(await ids({ text: 'no such thing' }), { ids: [], total: 0 });
      assert.deepStrictEqual(await ids({ text: 'kitchen', ownerId: alice.id }), { ids: [], total: 0 });
      assert.deepStrictEqual(await ids({ text: 'kitchen', ownerId: bob.id }), { ids: ['dev-delta'], total: 1 });
    });

    it('matches % and _ in the search text literally', async () => {
      assert.deepStrictEqual(await ids({ text: '%' }), { ids: ['dev-beta'], total: 1 });
      assert.deepStrictEqual(await ids({ text: '100%' }), { ids: ['dev-beta'], total: 1 });
      assert.deepStrictEqual(await ids({ text: '_' }), { ids: ['dev-delta', 'dev-gamma'], total: 2 });
      assert.deepStrictEqual(await ids({ text: 'pv_u' }), { ids: ['dev-gamma'], total: 1 });
      assert.deepStrictEqual(await ids({ text: 'dev_alpha' }), { ids: [], total: 0 });
      assert.deepStrictEqual(await ids({ text: '\\' }), { ids: [], total: 0 });
    });

    it('lists the distinct types and locations, without nulls, per owner too', async () => {
      assert.deepStrictEqual(await db.storage.distinctDeviceValues('device_type'), ['inverter', 'light_switch', 'meter', 'thermostat']);
      assert.deepStrictEqual(await db.storage.distinctDeviceValues('location'), ['Basement', 'Kitchen', 'Wohnzimmer']);
      assert.deepStrictEqual(await db.storage.distinctDeviceValues('location', alice.id), ['Basement', 'Wohnzimmer']);
      assert.deepStrictEqual(await db.storage.distinctDeviceValues('device_type', bob.id), ['light_switch']);
      assert.deepStrictEqual(await db.storage.distinctDeviceValues('location', 'nobody'), []);
    });

    it('pages with limit and offset, each device once, the total on every page', async () => {
      const carol = await makeUser(db.storage);
      const fleet: Device[] = [];
      for (let i = 0; i < 7; i++) {
        fleet.push(await db.storage.createDevice(deviceInput(carol.id, { id: `dev-page-${i}`, deviceType: 'pager' })));
        if (i % 2 === 0) await sleep(2);
      }
      const expected = newestFirst(fleet);
      const seen: Device[] = [];
      for (const offset of [0, 3, 6]) {
        const page = await list({ ownerId: carol.id, limit: 3, offset });
        assert.strictEqual(page.total, 7);
        assert.strictEqual(page.items.length, offset === 6 ? 1 : 3);
        seen.push(...page.items);
      }
      assert.deepStrictEqual(seen, expected);
      assert.deepStrictEqual(await list({ ownerId: carol.id, limit: 3, offset: 9 }), { items: [], total: 7 });
      assert.deepStrictEqual(await list({ deviceType: 'pager', limit: 2, offset: 1 }), { items: expected.slice(1, 3), total: 7 });
    });
  });
}

// Contract: schema migrations, users, settings and the stats summary.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { POSTGRES_MIGRATIONS } from '../../../src/storage/postgres/postgres-migrations.ts';
import { SQLITE_MIGRATIONS } from '../../../src/storage/sqlite/sqlite-migrations.ts';
import { HOUR, T0, type OpenStorage, deviceInput, freshDatabase, makeDevice, makeUser, pt, uid, userInput } from './fixture.ts';

const versions = (list: ReadonlyArray<{ version: number }>) => list.map((m) => m.version);
/** Both adapters carry the same migration versions; migrate() reports the newest. */
const LATEST_MIGRATION = Math.max(...versions(SQLITE_MIGRATIONS));

export function schemaContract(open: OpenStorage): void {
  describe('schema', () => {
    const db = freshDatabase(open, { migrate: false });

    it('both adapters have the same migration versions', () => {
      assert.deepStrictEqual(versions(POSTGRES_MIGRATIONS), versions(SQLITE_MIGRATIONS));
    });

    it('ping works on a database not yet migrated', async () => {
      await db.storage.ping();
    });

    it('migrate() returns the newest version and is idempotent, also from a second handle', async () => {
      assert.strictEqual(await db.storage.migrate(), LATEST_MIGRATION);
      assert.strictEqual(await db.storage.migrate(), LATEST_MIGRATION);
      const other = await db.another();
      assert.strictEqual(await other.migrate(), LATEST_MIGRATION);
      await db.storage.ping();
      await other.ping();
    });

    it('what one handle commits, another handle reads', async () => {
      const device = await makeDevice(db.storage);
      const point = pt(device.id, 'temperature', T0, 20.5);
      assert.deepStrictEqual(await db.storage.writePoints([point]), { inserted: 1, duplicates: 0 });
      const other = await db.another();
      assert.deepStrictEqual(await other.getDevice(device.id), device);
      assert.deepStrictEqual(await other.queryPoints({ deviceId: device.id, start: T0, end: T0 + 1, order: 'asc', limit: 10 }), [
        point,
      ]);
    });
  });
}

export function userContract(open: OpenStorage): void {
  describe('users', () => {
    const db = freshDatabase(open);

    it('creates a user and reads it back exactly, without the password hash', async () => {
      const input = userInput({ role: 'admin' });
      const before = Date.now();
      const user = await db.storage.createUser(input);
      const after = Date.now();
      assert.ok(user.createdAt >= before && user.createdAt <= after, `createdAt ${user.createdAt} not in [${before}, ${after}]`);
      assert.deepStrictEqual(user, {
        id: input.id,
        username: input.username,
        email: input.email,
        role: 'admin',
        isActive: true,
        createdAt: user.createdAt,
        updatedAt: user.createdAt,
        lastLogin: null,
      });
      assert.deepStrictEqual(await db.storage.getUser(input.id), user);
      assert.strictEqual(await db.storage.getUser('no-such-user'), undefined);
    });

    it('keeps an inactive user without email as such', async () => {
      const user = await makeUser(db.storage, { email: null, isActive: false });
      const read = await db.storage.getUser(user.id);
      assert.strictEqual(read?.email, null);
      assert.strictEqual(read?.isActive, false);
    });

    it('findUserForLogin finds by username and by email, with the password hash', async () => {
      const input = userInput();
      const user = await db.storage.createUser(input);
      const expected = { ...user, passwordHash: input.passwordHash };
      assert.deepStrictEqual(await db.storage.findUserForLogin(input.username), expected);
      assert.deepStrictEqual(await db.storage.findUserForLogin(input.email!), expected);
      assert.strictEqual(await db.storage.findUserForLogin('nobody'), undefined);
    });

    it('recordLogin sets lastLogin', async () => {
      const user = await makeUser(db.storage);
      await db.storage.recordLogin(user.id, T0);
      assert.deepStrictEqual(await db.storage.getUser(user.id), { ...user, lastLogin: T0 });
    });

    it('rejects a second user with the same username or email, and countUsers counts', async () => {
      const before = await db.storage.countUsers();
      const first = await makeUser(db.storage);
      assert.strictEqual(await db.storage.countUsers(), before + 1);
      await assert.rejects(db.storage.createUser(userInput({ username: first.username })));
      await assert.rejects(db.storage.createUser(userInput({ email: first.email })));
      await assert.rejects(db.storage.createUser(userInput({ id: first.id })));
      assert.strictEqual(await db.storage.countUsers(), before + 1);
      await makeUser(db.storage);
      assert.strictEqual(await db.storage.countUsers(), before + 2);
    });
  });
}

export function settingsContract(open: OpenStorage): void {
  describe('settings', () => {
    const db = freshDatabase(open);

    it('getSetting of an unknown key is undefined', async () => {
      assert.strictEqual(await db.storage.getSetting('no-such-key'), undefined);
    });

    it('setSettingIfAbsent stores the first value and keeps it', async () => {
      const key = uid('jwt-secret');
      assert.strictEqual(await db.storage.setSettingIfAbsent(key, 'first'), 'first');
      assert.strictEqual(await db.storage.setSettingIfAbsent(key, 'second'), 'first');
      assert.strictEqual(await db.storage.getSetting(key), 'first');
    });

    it('two handles racing for a setting agree on one value', async () => {
      const key = uid('race');
      const other = await db.another();
      const [a, b] = await Promise.all([db.storage.setSettingIfAbsent(key, 'a'), other.setSettingIfAbsent(key, 'b')]);
      assert.strictEqual(a, b);
      assert.strictEqual(await db.storage.getSetting(key), a);
    });
  });
}

export function statsContract(open: OpenStorage): void {
  describe('stats', () => {
    const db = freshDatabase(open);

    it('is all zeros on an empty database', async () => {
      assert.deepStrictEqual(await db.storage.stats(), { users: 0, devices: 0, points: 0, devicesByStatus: {}, devicesByType: {} });
    });

    it('counts users, devices by status and type, and numeric and boolean points', async () => {
      const a = await makeUser(db.storage);
      await makeUser(db.storage);
      const d1 = await db.storage.createDevice(deviceInput(a.id, { deviceType: 'meter', status: 'active' }));
      await db.storage.createDevice(deviceInput(a.id, { deviceType: 'meter', status: 'maintenance' }));
      const d3 = await db.storage.createDevice(deviceInput(a.id, { deviceType: 'thermostat', status: 'active' }));
      await db.storage.writePoints([
        pt(d1.id, 'energy', T0, 1),
        pt(d1.id, 'energy', T0 + 1000, 2),
        pt(d1.id, 'energy', T0 + HOUR, 3),
        pt(d1.id, 'relay', T0, true),
        pt(d1.id, 'mode', T0, 'eco'),
        pt(d3.id, 'temperature', T0 + 5 * HOUR, 21),
        pt(d3.id, 'label', T0, 'x'),
      ]);
      // A duplicate is not a new point.
      await db.storage.writePoints([pt(d1.id, 'energy', T0, 99)]);
      assert.deepStrictEqual(await db.storage.stats(), {
        users: 2,
        devices: 3,
        points: 5,
        devicesByStatus: { active: 2, maintenance: 1 },
        devicesByType: { meter: 2, thermostat: 1 },
      });
    });
  });
}

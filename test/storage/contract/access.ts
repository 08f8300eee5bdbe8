// Contract: user management, refresh-token families, device grants (and what a user sees through
// them) and the audit log.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { T0, type OpenStorage, deviceInput, freshDatabase, makeDevice, makeUser, pt, uid } from './fixture.ts';

export function userManagementContract(open: OpenStorage): void {
  describe('user management', () => {
    const db = freshDatabase(open);

    it('lists users oldest first with total, filtered by role and text', async () => {
      const a = await makeUser(db.storage, { username: uid('Alice'), role: 'admin' });
      const b = await makeUser(db.storage, { username: uid('bob') });
      const all = await db.storage.listUsers({ limit: 100, offset: 0 });
      assert.deepStrictEqual(all.items.map((u) => u.id).slice(-2), [a.id, b.id]);
      assert.strictEqual(all.total, all.items.length);
      const admins = await db.storage.listUsers({ role: 'admin', limit: 100, offset: 0 });
      assert.ok(admins.items.every((u) => u.role === 'admin'));
      assert.deepStrictEqual((await db.storage.listUsers({ text: 'ALICE', limit: 10, offset: 0 })).items, [a]);
      assert.deepStrictEqual((await db.storage.listUsers({ text: '%', limit: 10, offset: 0 })).items, []);
    });

    it('updates only the given fields and returns undefined for an unknown user', async () => {
      const u = await makeUser(db.storage);
      const updated = await db.storage.updateUser(u.id, { role: 'admin', isActive: false, email: null, passwordHash: 'new-hash' });
      assert.deepStrictEqual(updated, { ...u, role: 'admin', isActive: false, email: null, updatedAt: updated!.updatedAt });
      assert.strictEqual((await db.storage.getUserWithSecret(u.id))?.passwordHash, 'new-hash');
      assert.strictEqual(await db.storage.updateUser('nobody', { role: 'user' }), undefined);
    });

    it('keeps the session cut-off time per user', async () => {
      const u = await makeUser(db.storage);
      assert.deepStrictEqual(await db.storage.getUserSessionState(u.id), { user: u, sessionsValidAfter: 0 });
      await db.storage.setSessionsValidAfter(u.id, T0);
      assert.strictEqual((await db.storage.getUserSessionState(u.id))?.sessionsValidAfter, T0);
      assert.strictEqual(await db.storage.getUserSessionState('nobody'), undefined);
    });

    it('countAdmins counts active admins only', async () => {
      const before = await db.storage.countAdmins();
      await makeUser(db.storage, { role: 'admin' });
      await makeUser(db.storage, { role: 'admin', isActive: false });
      assert.strictEqual(await db.storage.countAdmins(), before + 1);
    });

    it('refuses to delete a user who still owns devices; transfers them, then deletes with grants and tokens', async () => {
      const owner = await makeUser(db.storage);
      const heir = await makeUser(db.storage);
      const d1 = await db.storage.createDevice(deviceInput(owner.id));
      const d2 = await db.storage.createDevice(deviceInput(owner.id));
      await db.storage.grantAccess({ deviceId: d1.id, userId: heir.id, level: 'read', grantedBy: owner.id });
      await db.storage.createRefreshToken({ id: uid('rt'), familyId: 'f', userId: owner.id, tokenHash: uid('h'), createdAt: T0, expiresAt: T0 + 1 });
      await assert.rejects(db.storage.deleteUser(owner.id));
      assert.strictEqual(await db.storage.transferDevices(owner.id, heir.id), 2);
      assert.strictEqual((await db.storage.getDevice(d1.id))?.ownerId, heir.id);
      assert.strictEqual((await db.storage.getDevice(d2.id))?.ownerId, heir.id);
      assert.deepStrictEqual(await db.storage.listAccess(d1.id), [], 'the heir’s grant is implied by ownership now');
      assert.strictEqual(await db.storage.deleteUser(owner.id), true);
      assert.strictEqual(await db.storage.getUser(owner.id), undefined);
      assert.strictEqual(await db.storage.deleteUser(owner.id), false);
    });
  });
}

export function refreshTokenContract(open: OpenStorage): void {
  describe('refresh tokens', () => {
    const db = freshDatabase(open);

    it('stores a token by hash, uses it once, and revokes by family and by user', async () => {
      const u = await makeUser(db.storage);
      const family = uid('fam');
      const first = { id: uid('rt'), familyId: family, userId: u.id, tokenHash: uid('hash'), createdAt: T0, expiresAt: T0 + 1000 };
      await db.storage.createRefreshToken(first);
      assert.deepStrictEqual(await db.storage.findRefreshToken(first.tokenHash), { ...first, usedAt: null, revokedAt: null });
      assert.strictEqual(await db.storage.findRefreshToken('unknown'), undefined);
      assert.strictEqual(await db.storage.useRefreshToken(first.id, T0 + 1), true);
      assert.strictEqual(await db.storage.useRefreshToken(first.id, T0 + 2), false, 'a second use is refused');
      const second = { ...first, id: uid('rt'), tokenHash: uid('hash') };
      await db.storage.createRefreshToken(second);
      const other = { ...first, id: uid('rt'), familyId: uid('fam'), tokenHash: uid('hash') };
      await db.storage.createRefreshToken(other);
      assert.strictEqual(await db.storage.revokeRefreshFamily(family, T0 + 3), 2);
      assert.deepStrictEqual(await db.storage.findRefreshToken(second.tokenHash), { ...second, usedAt: null, revokedAt: T0 + 3 });
      assert.strictEqual(await db.storage.useRefreshToken(second.id, T0 + 4), false, 'a revoked token cannot be used');
      assert.strictEqual(await db.storage.revokeUserRefreshTokens(u.id, T0 + 5), 1);
      assert.strictEqual((await db.storage.findRefreshToken(other.tokenHash))?.revokedAt, T0 + 5);
    });

    it('of two handles racing to use one token, exactly one wins', async () => {
      const u = await makeUser(db.storage);
      const t = { id: uid('rt'), familyId: uid('fam'), userId: u.id, tokenHash: uid('hash'), createdAt: T0, expiresAt: T0 + 1000 };
      await db.storage.createRefreshToken(t);
      const other = await db.another();
      const results = await Promise.all([db.storage.useRefreshToken(t.id, T0), other.useRefreshToken(t.id, T0)]);
      assert.deepStrictEqual(results.sort(), [false, true]);
    });
  });
}

export function sharingContract(open: OpenStorage): void {
  describe('device grants', () => {
    const db = freshDatabase(open);

    it('grants, changes, lists and revokes access', async () => {
      const device = await makeDevice(db.storage);
      const reader = await makeUser(db.storage, { username: uid('a-reader') });
      const operator = await makeUser(db.storage, { username: uid('b-operator') });
      await db.storage.grantAccess({ deviceId: device.id, userId: reader.id, level: 'control', grantedBy: device.ownerId });
      await db.storage.grantAccess({ deviceId: device.id, userId: reader.id, level: 'read', grantedBy: null });
      await db.storage.grantAccess({ deviceId: device.id, userId: operator.id, level: 'control', grantedBy: device.ownerId });
      const grants = await db.storage.listAccess(device.id);
      assert.deepStrictEqual(
        grants.map((g) => [g.userId, g.username, g.level, g.grantedBy]),
        [
          [reader.id, reader.username, 'read', null],
          [operator.id, operator.username, 'control', device.ownerId],
        ],
      );
      assert.strictEqual(await db.storage.accessLevel(device.id, reader.id), 'read');
      assert.strictEqual(await db.storage.accessLevel(device.id, device.ownerId), undefined);
      assert.strictEqual(await db.storage.revokeAccess(device.id, reader.id), true);
      assert.strictEqual(await db.storage.revokeAccess(device.id, reader.id), false);
      assert.strictEqual(await db.storage.accessLevel(device.id, reader.id), undefined);
    });

    it('listDevices visibleTo returns owned and shared devices only, and distinct values follow', async () => {
      const me = await makeUser(db.storage);
      const mine = await db.storage.createDevice(deviceInput(me.id, { deviceType: 'meter', location: 'kitchen' }));
      const shared = await makeDevice(db.storage, { deviceType: 'thermostat', location: 'hall' });
      await makeDevice(db.storage, { deviceType: 'secret-type', location: 'secret-place' });
      await db.storage.grantAccess({ deviceId: shared.id, userId: me.id, level: 'read', grantedBy: null });
      const page = await db.storage.listDevices({ visibleTo: me.id, limit: 10, offset: 0 });
      assert.deepStrictEqual(new Set(page.items.map((d) => d.id)), new Set([mine.id, shared.id]));
      assert.strictEqual(page.total, 2);
      const typed = await db.storage.listDevices({ visibleTo: me.id, deviceType: 'thermostat', limit: 10, offset: 0 });
      assert.deepStrictEqual(typed.items.map((d) => d.id), [shared.id]);
      assert.deepStrictEqual(await db.storage.distinctDeviceValues('device_type', me.id), ['meter', 'thermostat']);
      assert.deepStrictEqual(await db.storage.distinctDeviceValues('location', me.id), ['hall', 'kitchen']);
    });

    it('listAllAccess pages every grant by device then username, with the total', async () => {
      const before = await db.storage.listAllAccess({ limit: 1000, offset: 0 });
      const device = await makeDevice(db.storage, { id: `zz-${uid('dev')}` });
      const b = await makeUser(db.storage, { username: uid('zz-b') });
      const a = await makeUser(db.storage, { username: uid('zz-a') });
      await db.storage.grantAccess({ deviceId: device.id, userId: b.id, level: 'control', grantedBy: null });
      await db.storage.grantAccess({ deviceId: device.id, userId: a.id, level: 'read', grantedBy: null });
      const all = await db.storage.listAllAccess({ limit: 1000, offset: 0 });
      assert.strictEqual(all.total, before.total + 2);
      assert.deepStrictEqual(all.items.slice(-2).map((g) => [g.deviceId, g.userId, g.level]), [
        [device.id, a.id, 'read'],
        [device.id, b.id, 'control'],
      ]);
      const last = await db.storage.listAllAccess({ limit: 1, offset: all.total - 1 });
      assert.deepStrictEqual([last.items.map((g) => g.userId), last.total], [[b.id], all.total]);
    });

    it('deleting a device deletes its grants', async () => {
      const device = await makeDevice(db.storage);
      const u = await makeUser(db.storage);
      await db.storage.grantAccess({ deviceId: device.id, userId: u.id, level: 'read', grantedBy: null });
      await db.storage.writePoints([pt(device.id, 'x', T0, 1)]);
      assert.strictEqual(await db.storage.deleteDevice(device.id), true);
      assert.deepStrictEqual(await db.storage.listAccess(device.id), []);
      assert.deepStrictEqual((await db.storage.listDevices({ visibleTo: u.id, limit: 10, offset: 0 })).total, 0);
    });
  });
}

export function auditContract(open: OpenStorage): void {
  describe('audit log', () => {
    const db = freshDatabase(open);

    it('appends entries and lists them newest first, filtered and paged by id', async () => {
      const base = { at: T0, actorId: 'u1', actorName: 'alice', targetId: 'd1', details: {} };
      await db.storage.appendAudit({ ...base, action: 'device.create', targetType: 'device', details: { name: 'x' } });
      await db.storage.appendAudit({ ...base, action: 'user.update', targetType: 'user', targetId: 'u2' });
      await db.storage.appendAudit({ ...base, at: T0 + 1, action: 'device.delete', targetType: 'device', actorId: null, actorName: null });
      const all = await db.storage.listAudit({ limit: 10 });
      assert.deepStrictEqual(all.map((e) => e.action), ['device.delete', 'user.update', 'device.create']);
      assert.deepStrictEqual(all[2], { id: all[2]!.id, ...base, action: 'device.create', targetType: 'device', details: { name: 'x' } });
      assert.deepStrictEqual((await db.storage.listAudit({ targetType: 'device', limit: 10 })).map((e) => e.action), ['device.delete', 'device.create']);
      assert.deepStrictEqual((await db.storage.listAudit({ actorId: 'u1', targetId: 'u2', limit: 10 })).map((e) => e.action), ['user.update']);
      assert.deepStrictEqual((await db.storage.listAudit({ beforeId: all[0]!.id, limit: 1 })).map((e) => e.action), ['user.update']);
      assert.deepStrictEqual((await db.storage.listAudit({ action: 'nope', limit: 10 })), []);
    });
  });
}

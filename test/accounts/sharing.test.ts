// Sharing over real HTTP: grants of read or control, what each level may do, the seed-004
// mapping aliases, and shared devices showing up in lists and energy totals.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { onBothBackends } from './backends.ts';

onBothBackends('sharing', (p) => {
  it('the owner shares read access: the reader sees and queries, but cannot change, delete or share', async () => {
    const owner = await p().user();
    const reader = await p().user();
    const d = await p().device(owner, { device_type: 'meter', location: 'cellar' });
    await p().request('POST', '/api/v1/telemetry', { headers: { 'x-api-key': d.apiKey }, body: { energy: 1.5 } });

    const before = await p().request('GET', `/api/v1/devices/${d.id}`, { token: reader.token });
    assert.deepStrictEqual([before.status, before.body.error.code], [404, 'DEVICE_NOT_FOUND']);

    const grant = await p().request('POST', `/api/v1/devices/${d.id}/access`, { token: owner.token, body: { username: reader.username, level: 'read' } });
    assert.strictEqual(grant.status, 201);
    assert.deepStrictEqual(
      { ...grant.body, created_at: 'x' },
      { device_id: d.id, user_id: reader.userId, username: reader.username, level: 'read', granted_by: owner.userId, created_at: 'x' },
    );

    assert.strictEqual((await p().request('GET', `/api/v1/devices/${d.id}`, { token: reader.token })).status, 200);
    assert.strictEqual((await p().request('GET', `/api/v1/telemetry/${d.id}/latest`, { token: reader.token })).status, 200);
    const list = await p().request('GET', '/api/v1/devices', { token: reader.token });
    assert.deepStrictEqual([list.body.total, list.body.devices.map((x: { id: string }) => x.id)], [1, [d.id]]);
    assert.deepStrictEqual((await p().request('GET', '/api/v1/device-types', { token: reader.token })).body, ['meter']);

    for (const [method, url, body] of [
      ['PATCH', `/api/v1/devices/${d.id}`, { name: 'hijacked' }],
      ['DELETE', `/api/v1/devices/${d.id}`, undefined],
      ['POST', `/api/v1/devices/${d.id}/api-key`, undefined],
      ['DELETE', `/api/v1/telemetry/${d.id}?start_time=-1000d`, undefined],
      ['POST', `/api/v1/devices/${d.id}/access`, { user_id: owner.userId }],
      ['GET', `/api/v1/devices/${d.id}/access`, undefined],
    ] as const) {
      const res = await p().request(method, url, { token: reader.token, body });
      assert.deepStrictEqual([res.status, res.body.error.code], [403, 'FORBIDDEN'], `${method} ${url}`);
    }
    assert.strictEqual((await p().request('GET', `/api/v1/devices/${d.id}`, { token: owner.token })).body.name.startsWith('device'), true);
  });

  it('control is more than read but less than owner; levels change; revoking hides the device again', async () => {
    const owner = await p().user();
    const operator = await p().user();
    const d = await p().device(owner);
    await p().request('POST', `/api/v1/devices/${d.id}/access`, { token: owner.token, body: { user_id: operator.userId, level: 'control' } });
    const listed = await p().request('GET', `/api/v1/devices/${d.id}/access`, { token: owner.token });
    assert.deepStrictEqual(listed.body.map((g: { user_id: string; level: string }) => [g.user_id, g.level]), [[operator.userId, 'control']]);
    const patch = await p().request('PATCH', `/api/v1/devices/${d.id}`, { token: operator.token, body: { name: 'x' } });
    assert.deepStrictEqual([patch.status, patch.body.error.details], [403, { access: 'control', needed: 'owner' }]);

    const lowered = await p().request('PUT', `/api/v1/devices/${d.id}/access/${operator.userId}`, { token: owner.token, body: { level: 'read' } });
    assert.deepStrictEqual([lowered.status, lowered.body.level], [200, 'read']);

    assert.strictEqual((await p().request('DELETE', `/api/v1/devices/${d.id}/access/${operator.userId}`, { token: owner.token })).status, 204);
    const gone = await p().request('GET', `/api/v1/devices/${d.id}`, { token: operator.token });
    assert.deepStrictEqual([gone.status, gone.body.error.code], [404, 'DEVICE_NOT_FOUND']);
    const again = await p().request('DELETE', `/api/v1/devices/${d.id}/access/${operator.userId}`, { token: owner.token });
    assert.deepStrictEqual([again.status, again.body.error.code], [404, 'NOT_FOUND']);
  });

  it('a grantee may drop their own access; sharing with the owner or an unknown user is refused', async () => {
    const owner = await p().user();
    const u = await p().user();
    const d = await p().device(owner);
    await p().request('POST', `/api/v1/devices/${d.id}/access`, { token: owner.token, body: { user_id: u.userId } });
    assert.strictEqual((await p().request('DELETE', `/api/v1/devices/${d.id}/access/${u.userId}`, { token: u.token })).status, 204);
    assert.strictEqual((await p().request('GET', `/api/v1/devices/${d.id}`, { token: u.token })).status, 404);
    const self = await p().request('POST', `/api/v1/devices/${d.id}/access`, { token: owner.token, body: { user_id: owner.userId } });
    assert.deepStrictEqual([self.status, self.body.error.code], [400, 'VALIDATION_FAILED']);
    const nobody = await p().request('POST', `/api/v1/devices/${d.id}/access`, { token: owner.token, body: { user_id: 'no-such-user' } });
    assert.deepStrictEqual([nobody.status, nobody.body.error.code], [404, 'USER_NOT_FOUND']);
    const neither = await p().request('POST', `/api/v1/devices/${d.id}/access`, { token: owner.token, body: { level: 'read' } });
    assert.deepStrictEqual([neither.status, neither.body.error.code], [400, 'VALIDATION_FAILED']);
  });

  it('seed 004 mapping aliases assign, list and unassign', async () => {
    const admin = await p().admin();
    const owner = await p().user();
    const a = await p().user();
    const b = await p().user();
    const d = await p().device(owner);
    for (const u of [a, b]) {
      const res = await p().request('POST', '/api/v1/mappings/assign', { token: admin.token, body: { user_id: u.userId, device_id: d.id } });
      assert.deepStrictEqual([res.status, res.body.level], [201, 'control']);
    }
    const mine = await p().request('GET', `/api/v1/mappings/user/${a.userId}/devices`, { token: a.token });
    assert.deepStrictEqual([mine.status, mine.body.total, mine.body.devices.map((x: { id: string }) => x.id)], [200, 1, [d.id]]);
    const others = await p().request('GET', `/api/v1/mappings/user/${b.userId}/devices`, { token: a.token });
    assert.deepStrictEqual([others.status, others.body.error.code], [404, 'USER_NOT_FOUND']);
    assert.strictEqual((await p().request('GET', `/api/v1/mappings/user/${b.userId}/devices`, { token: admin.token })).body.total, 1);

    const all = await p().request('GET', '/api/v1/mappings?limit=1000', { token: admin.token });
    assert.deepStrictEqual(
      all.body.mappings.filter((m: { device_id: string }) => m.device_id === d.id).map((m: { user_id: string }) => m.user_id).sort(),
      [a.userId, b.userId].sort(),
    );
    assert.strictEqual(all.body.total, all.body.mappings.length);
    const notAdmin = await p().request('GET', '/api/v1/mappings', { token: owner.token });
    assert.deepStrictEqual([notAdmin.status, notAdmin.body.error.code], [403, 'FORBIDDEN']);

    const one = await p().request('DELETE', `/api/v1/mappings/unassign/${d.id}?user_id=${a.userId}`, { token: owner.token });
    assert.deepStrictEqual([one.status, one.body], [200, { unassigned: 1 }]);
    const rest = await p().request('DELETE', `/api/v1/mappings/unassign/${d.id}`, { token: admin.token });
    assert.deepStrictEqual([rest.status, rest.body], [200, { unassigned: 1 }]);
    assert.deepStrictEqual((await p().request('GET', `/api/v1/devices/${d.id}/access`, { token: owner.token })).body, []);
  });

  it('energy over "all devices" includes devices shared with you, and only those you may see', async () => {
    const owner = await p().user();
    const u = await p().user();
    const stranger = await p().user();
    const shared = await p().device(owner);
    const own = await p().device(u);
    await p().device(stranger);
    await p().request('POST', `/api/v1/devices/${shared.id}/access`, { token: owner.token, body: { user_id: u.userId } });
    const res = await p().request('GET', '/api/v1/energy/hourly?date=2026-01-15', { token: u.token });
    assert.strictEqual(res.status, 200);
    assert.deepStrictEqual(new Set(res.body.device_ids), new Set([shared.id, own.id]));
  });
});

// Roles and user management over real HTTP: profile and password for everyone; list, create,
// update, deactivate and delete for admins; a deleted user's devices go to an admin or are deleted.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { onBothBackends } from './backends.ts';

onBothBackends('users', (p) => {
  it('a user reads and edits their profile; a taken username is 409', async () => {
    const u = await p().user();
    const other = await p().user();
    const me = await p().request('GET', '/api/v1/users/me', { token: u.token });
    assert.deepStrictEqual([me.status, me.body.username, me.body.role, me.body.is_admin], [200, u.username, 'user', false]);
    const changed = await p().request('PATCH', '/api/v1/users/me', { token: u.token, body: { email: `${u.username}@example.test` } });
    assert.deepStrictEqual([changed.status, changed.body.email, changed.body.username], [200, `${u.username}@example.test`, u.username]);
    const taken = await p().request('PATCH', '/api/v1/users/me', { token: u.token, body: { username: other.username } });
    assert.deepStrictEqual([taken.status, taken.body.error.code], [409, 'USER_EXISTS']);
    const role = await p().request('PATCH', '/api/v1/users/me', { token: u.token, body: { role: 'admin' } });
    assert.deepStrictEqual([role.status, role.body.error.code], [400, 'VALIDATION_FAILED'], 'a user cannot make themselves admin');
    assert.strictEqual((await p().request('GET', '/api/v1/users/me', { token: u.token })).body.role, 'user');
  });

  it('a user reads and edits themselves by id (seed 003) but nobody else, and cannot raise their role', async () => {
    const u = await p().user();
    const other = await p().user();
    const self = await p().request('GET', `/api/v1/users/${u.userId}`, { token: u.token });
    assert.deepStrictEqual([self.status, self.body.id], [200, u.userId]);
    const renamed = await p().request('PUT', `/api/v1/users/${u.userId}`, { token: u.token, body: { username: `${u.username}-b` } });
    assert.deepStrictEqual([renamed.status, renamed.body.username], [200, `${u.username}-b`]);
    for (const body of [{ role: 'admin' }, { is_active: false }, { password: 'a-new-password' }]) {
      const res = await p().request('PATCH', `/api/v1/users/${u.userId}`, { token: u.token, body });
      assert.deepStrictEqual([res.status, res.body.error.code], [403, 'FORBIDDEN'], JSON.stringify(body));
    }
    const foreign = await p().request('GET', `/api/v1/users/${other.userId}`, { token: u.token });
    assert.deepStrictEqual([foreign.status, foreign.body.error.code], [403, 'FORBIDDEN']);
    assert.strictEqual((await p().request('GET', '/api/v1/users/me', { token: u.token })).body.role, 'user');
  });

  it('changing the password needs the current one and ends every session', async () => {
    const u = await p().user();
    const wrong = await p().request('PUT', '/api/v1/users/me/password', { token: u.token, body: { current_password: 'nope', new_password: 'a-new-password' } });
    assert.deepStrictEqual([wrong.status, wrong.body.error.code], [403, 'WRONG_PASSWORD']);
    const short = await p().request('PUT', '/api/v1/users/me/password', { token: u.token, body: { current_password: u.password, new_password: 'short' } });
    assert.deepStrictEqual([short.status, short.body.error.code], [400, 'VALIDATION_FAILED']);
    const ok = await p().request('PUT', '/api/v1/users/me/password', { token: u.token, body: { current_password: u.password, new_password: 'a-new-password' } });
    assert.strictEqual(ok.status, 204);
    assert.strictEqual((await p().request('GET', '/api/v1/auth/me', { token: u.token })).body.error.code, 'TOKEN_REVOKED');
    const old = await p().request('POST', '/api/v1/auth/login', { body: { username: u.username, password: u.password } });
    assert.strictEqual(old.status, 401);
    await p().login(u.username, 'a-new-password');
  });

  it('only admins manage users', async () => {
    const admin = await p().admin();
    const u = await p().user();
    for (const [method, url] of [
      ['GET', '/api/v1/users'],
      ['POST', '/api/v1/users'],
      ['GET', `/api/v1/users/${admin.userId}`],
      ['PATCH', `/api/v1/users/${admin.userId}`],
      ['POST', `/api/v1/users/${u.userId}/deactivate`],
      ['DELETE', `/api/v1/users/${u.userId}`],
      ['GET', '/api/v1/admin/stats'],
      ['GET', '/api/v1/admin/audit'],
    ] as const) {
      const body = method === 'POST' || method === 'PATCH' ? { username: 'x-new-user', password: 'long-enough-pw' } : undefined;
      const res = await p().request(method, url, { token: u.token, body });
      assert.deepStrictEqual([res.status, res.body?.error?.code], [403, 'FORBIDDEN'], `${method} ${url}`);
    }
  });

  it('an admin creates, lists, updates, deactivates and reactivates users', async () => {
    const admin = await p().admin();
    const created = await p().request('POST', '/api/v1/users', { token: admin.token, body: { username: 'made-by-admin', password: 'long-enough-pw', role: 'admin' } });
    assert.deepStrictEqual([created.status, created.body.username, created.body.role], [201, 'made-by-admin', 'admin']);
    const id = created.body.id as string;
    const list = await p().request('GET', '/api/v1/users?q=made-by&limit=10', { token: admin.token });
    assert.deepStrictEqual([list.status, list.body.total, list.body.users.map((u: { id: string }) => u.id)], [200, 1, [id]]);
    const admins = await p().request('GET', '/api/v1/users?role=admin', { token: admin.token });
    assert.deepStrictEqual(new Set(admins.body.users.map((u: { username: string }) => u.username)), new Set(['admin', 'made-by-admin']));
    const demoted = await p().request('PATCH', `/api/v1/users/${id}`, { token: admin.token, body: { role: 'user', email: 'made@example.test' } });
    assert.deepStrictEqual([demoted.status, demoted.body.role, demoted.body.email], [200, 'user', 'made@example.test']);
    const s = await p().login('made-by-admin', 'long-enough-pw');
    const off = await p().request('POST', `/api/v1/users/${id}/deactivate`, { token: admin.token });
    assert.deepStrictEqual([off.status, off.body.is_active], [200, false]);
    assert.strictEqual((await p().request('GET', '/api/v1/auth/me', { token: s.token })).status, 401);
    const login = await p().request('POST', '/api/v1/auth/login', { body: { username: 'made-by-admin', password: 'long-enough-pw' } });
    assert.deepStrictEqual([login.status, login.body.error.code], [401, 'INVALID_CREDENTIALS']);
    const refresh = await p().request('POST', '/api/v1/auth/refresh', { body: { refresh_token: s.refresh } });
    assert.strictEqual(refresh.status, 401);
    assert.strictEqual((await p().request('POST', `/api/v1/users/${id}/activate`, { token: admin.token })).body.is_active, true);
    await p().login('made-by-admin', 'long-enough-pw');
    const missing = await p().request('GET', '/api/v1/users/no-such-user', { token: admin.token });
    assert.deepStrictEqual([missing.status, missing.body.error.code], [404, 'USER_NOT_FOUND']);
  });

  it('the last active admin cannot be deleted, deactivated or demoted', async () => {
    const admin = await p().admin();
    // Make sure only the bootstrap admin is an active admin.
    const admins = await p().request('GET', '/api/v1/users?role=admin', { token: admin.token });
    for (const a of admins.body.users as Array<{ id: string }>) {
      if (a.id !== admin.userId) await p().request('PATCH', `/api/v1/users/${a.id}`, { token: admin.token, body: { role: 'user' } });
    }
    for (const [method, url, body] of [
      ['DELETE', `/api/v1/users/${admin.userId}`, undefined],
      ['POST', `/api/v1/users/${admin.userId}/deactivate`, undefined],
      ['PATCH', `/api/v1/users/${admin.userId}`, { role: 'user' }],
    ] as const) {
      const res = await p().request(method, url, { token: admin.token, body });
      assert.deepStrictEqual([res.status, res.body.error.code], [409, 'LAST_ADMIN'], `${method} ${url}`);
    }
  });

  it('deleting a user who owns devices needs a choice; transfer hands them to an admin with their data', async () => {
    const admin = await p().admin();
    const u = await p().user();
    const reader = await p().user();
    const d = await p().device(u);
    await p().request('POST', `/api/v1/devices/${d.id}/access`, { token: u.token, body: { user_id: reader.userId, level: 'read' } });
    const ingest = await p().request('POST', '/api/v1/telemetry', { headers: { 'x-api-key': d.apiKey }, body: { temperature: 21.5 } });
    assert.strictEqual(ingest.status, 201);

    const unsaid = await p().request('DELETE', `/api/v1/users/${u.userId}`, { token: admin.token });
    assert.deepStrictEqual([unsaid.status, unsaid.body.error.code, unsaid.body.error.details], [409, 'CONFIRMATION_REQUIRED', { devices: 1, options: ['transfer', 'delete'] }]);
    const toUser = await p().request('DELETE', `/api/v1/users/${u.userId}?devices=transfer&transfer_to=${reader.userId}`, { token: admin.token });
    assert.deepStrictEqual([toUser.status, toUser.body.error.code], [400, 'VALIDATION_FAILED'], 'devices go to an admin only');

    const res = await p().request('DELETE', `/api/v1/users/${u.userId}?devices=transfer`, { token: admin.token });
    assert.deepStrictEqual([res.status, res.body], [200, { deleted: true, devices: 1, devices_mode: 'transfer', transfer_to: admin.userId }]);
    const device = await p().request('GET', `/api/v1/devices/${d.id}`, { token: admin.token });
    assert.deepStrictEqual([device.status, device.body.owner_id], [200, admin.userId]);
    const latest = await p().request('GET', `/api/v1/telemetry/${d.id}/latest`, { token: admin.token });
    assert.strictEqual(latest.status, 200);
    assert.match(latest.text, /21\.5/);
    // The share with the reader survives the hand-over.
    assert.strictEqual((await p().request('GET', `/api/v1/devices/${d.id}`, { token: reader.token })).status, 200);
    assert.strictEqual((await p().request('GET', `/api/v1/users/${u.userId}`, { token: admin.token })).status, 404);
  });

  it('deleting a user with devices=delete deletes their devices and data', async () => {
    const admin = await p().admin();
    const u = await p().user();
    const d1 = await p().device(u);
    const d2 = await p().device(u);
    const res = await p().request('DELETE', `/api/v1/users/${u.userId}?devices=delete`, { token: admin.token });
    assert.deepStrictEqual([res.status, res.body], [200, { deleted: true, devices: 2, devices_mode: 'delete' }]);
    for (const d of [d1, d2]) {
      assert.strictEqual((await p().request('GET', `/api/v1/devices/${d.id}`, { token: admin.token })).status, 404);
      const ingest = await p().request('POST', '/api/v1/telemetry', { headers: { 'x-api-key': d.apiKey }, body: { x: 1 } });
      assert.deepStrictEqual([ingest.status, ingest.body.error.code], [401, 'INVALID_API_KEY']);
    }
  });
});

// The live stream follows access changes while it is open: revoking a share (and the seed-004
// unassign alias), deleting a device, deactivating or deleting the user, revoking their sessions and
// handing their devices to another owner all stop the affected subscriptions at once, and the client
// is told why. Real WebSockets against a real platform, on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STREAM_CLOSE, type StreamServerMessage } from '../../src/contract/stream.ts';
import { type TestPlatform, forEachStorage } from '../helpers/platform.ts';
import { TestSocket, followingStream } from '../helpers/stream-socket.ts';

let n = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++n}`;

const stream = (p: TestPlatform, token: string, deviceIds: string[]) => followingStream(p.baseUrl, token, deviceIds);

async function ingest(p: TestPlatform, apiKey: string, value: number): Promise<void> {
  assert.equal((await p.api('POST', '/api/v1/telemetry', { apiKey, body: { temperature: value } })).status, 201);
}

/** The temperatures of the point messages for `deviceId` among `messages`. */
function valuesOf(messages: StreamServerMessage[], deviceId: string): unknown[] {
  return messages.flatMap((m) => (m.type === 'points' && m.device_id === deviceId ? m.points.map((x) => x.value) : []));
}

/**
 * Drains until an access_revoked message has come: the re-check that words it is asynchronous, so
 * other devices' points may come first, and on a slow machine it may follow the first pong.
 */
async function drainUntilRevoked(s: TestSocket): Promise<StreamServerMessage[]> {
  let seen = await s.drain();
  for (let i = 0; i < 50 && !seen.some((m) => m.type === 'access_revoked'); i++) seen = seen.concat(await s.drain());
  return seen;
}

forEachStorage('live stream after access changes', (get) => {
  test('revoking a share drops the sharee at once, with a message; the owner keeps receiving', { timeout: 30_000 }, async () => {
    const p = get();
    const owner = await p.newUser(unique('owner'));
    const reader = await p.newUser(unique('reader'));
    const shared = await p.newDevice(owner.token, { id: unique('shared'), name: 'Shared' });
    const own = await p.newDevice(reader.token, { id: unique('own'), name: 'Own' });
    assert.equal((await p.api('POST', `/api/v1/devices/${shared.id}/access`, { token: owner.token, body: { user_id: reader.id, level: 'read' } })).status, 201);

    const s = await stream(p, reader.token, [shared.id, own.id]);
    const o = await stream(p, owner.token, [shared.id]);
    await ingest(p, shared.api_key, 1);
    assert.deepEqual(valuesOf(await s.drain(), shared.id), [1]);

    assert.equal((await p.api('DELETE', `/api/v1/devices/${shared.id}/access/${reader.id}`, { token: owner.token })).status, 204);
    await ingest(p, shared.api_key, 2);
    await ingest(p, own.api_key, 3);
    const after = await drainUntilRevoked(s);
    assert.deepEqual(after.find((m) => m.type === 'access_revoked'), {
      type: 'access_revoked',
      device_id: shared.id,
      reason: 'unshared',
      message: `You no longer receive updates for device ${shared.id}: your access to it was revoked`,
    });
    assert.deepEqual(valuesOf(after, shared.id), [], 'no point of the unshared device after the revoke');
    assert.deepEqual(valuesOf(after, own.id), [3]);
    assert.deepEqual(valuesOf(await o.drain(), shared.id), [1, 2]);

    // Following it again is refused like any device the user cannot see.
    s.send({ type: 'subscribe', device_ids: [shared.id] });
    assert.deepEqual(await s.next(), { type: 'subscribed', device_ids: [], denied: [shared.id] });
    s.close();
    o.close();
  });

  test('the seed-004 unassign alias drops every assigned user; a grant downgraded to read keeps streaming', { timeout: 30_000 }, async () => {
    const p = get();
    const admin = await p.adminToken();
    const owner = await p.newUser(unique('owner'));
    const a = await p.newUser(unique('a'));
    const b = await p.newUser(unique('b'));
    const d = await p.newDevice(owner.token, { id: unique('dev'), name: 'Assigned' });
    for (const u of [a, b]) {
      assert.equal((await p.api('POST', '/api/v1/mappings/assign', { token: admin, body: { user_id: u.id, device_id: d.id } })).status, 201);
    }
    const sa = await stream(p, a.token, [d.id]);
    const sb = await stream(p, b.token, [d.id]);

    assert.equal((await p.api('PUT', `/api/v1/devices/${d.id}/access/${b.id}`, { token: owner.token, body: { level: 'read' } })).status, 200);
    await ingest(p, d.api_key, 1);
    assert.deepEqual(valuesOf(await sb.drain(), d.id), [1]);

    const one = await p.api('DELETE', `/api/v1/mappings/unassign/${d.id}?user_id=${a.id}`, { token: owner.token });
    assert.deepEqual([one.status, one.body], [200, { unassigned: 1 }]);
    await ingest(p, d.api_key, 2);
    const afterOne = await drainUntilRevoked(sa);
    assert.deepEqual(afterOne.map((m) => m.type), ['points', 'access_revoked']);
    assert.deepEqual(valuesOf(afterOne, d.id), [1]);
    assert.deepEqual(valuesOf(await sb.drain(), d.id), [2]);

    const rest = await p.api('DELETE', `/api/v1/mappings/unassign/${d.id}`, { token: admin });
    assert.deepEqual([rest.status, rest.body], [200, { unassigned: 1 }]);
    await ingest(p, d.api_key, 3);
    const afterAll = await drainUntilRevoked(sb);
    assert.deepEqual(afterAll, [{ type: 'access_revoked', device_id: d.id, reason: 'unshared', message: `You no longer receive updates for device ${d.id}: your access to it was revoked` }]);
    sa.close();
    sb.close();
  });

  test('an admin whose needless grant is revoked keeps the device (the rule still lets them read)', { timeout: 30_000 }, async () => {
    const p = get();
    const admin = await p.adminToken();
    const adminId = (await p.api('GET', '/api/v1/auth/me', { token: admin })).body.id;
    const owner = await p.newUser(unique('owner'));
    const d = await p.newDevice(owner.token, { id: unique('dev'), name: 'Watched' });
    assert.equal((await p.api('POST', `/api/v1/devices/${d.id}/access`, { token: owner.token, body: { user_id: adminId, level: 'read' } })).status, 201);
    const s = await stream(p, admin, [d.id]);
    assert.equal((await p.api('DELETE', `/api/v1/devices/${d.id}/access/${adminId}`, { token: owner.token })).status, 204);
    // The re-check runs after the hub paused delivery; a ping queued behind it answers once it is done.
    assert.deepEqual(await s.drain(), []);
    await ingest(p, d.api_key, 7);
    assert.deepEqual(valuesOf(await s.drain(), d.id), [7]);
    s.close();
  });

  test('deleting a shared device tells the sharee and ends the subscription', { timeout: 30_000 }, async () => {
    const p = get();
    const owner = await p.newUser(unique('owner'));
    const reader = await p.newUser(unique('reader'));
    const d = await p.newDevice(owner.token, { id: unique('doomed'), name: 'Doomed' });
    await p.api('POST', `/api/v1/devices/${d.id}/access`, { token: owner.token, body: { user_id: reader.id, level: 'read' } });
    const s = await stream(p, reader.token, [d.id]);
    assert.equal((await p.api('DELETE', `/api/v1/devices/${d.id}?confirm=true`, { token: owner.token })).status, 204);
    assert.deepEqual(await s.drain(), [{ type: 'device_deleted', device_id: d.id }]);
    s.send({ type: 'unsubscribe', device_ids: [d.id] });
    assert.deepEqual(await s.next(), { type: 'unsubscribed', device_ids: [d.id] });
    s.close();
  });

  // A user who is gone or inactive has no valid token any more (INVALID_TOKEN); a user whose sessions
  // were ended may sign in again (TOKEN_REVOKED).
  for (const [what, reason, code, act] of [
    ['deactivating', 'your account was deactivated', 'INVALID_TOKEN', (p: TestPlatform, admin: string, id: string) => p.api('POST', `/api/v1/users/${id}/deactivate`, { token: admin })],
    ['deleting', 'your account was deleted', 'INVALID_TOKEN', (p: TestPlatform, admin: string, id: string) => p.api('DELETE', `/api/v1/users/${id}`, { token: admin })],
    ['revoking the sessions of', 'your sessions were revoked', 'TOKEN_REVOKED', (p: TestPlatform, admin: string, id: string) => p.api('POST', `/api/v1/users/${id}/sessions/revoke`, { token: admin })],
    ['changing the role of', 'your sessions were revoked', 'TOKEN_REVOKED', (p: TestPlatform, admin: string, id: string) => p.api('PATCH', `/api/v1/users/${id}`, { token: admin, body: { role: 'admin' } })],
    ['"log out everywhere" by', 'your sessions were revoked', 'TOKEN_REVOKED', (p: TestPlatform, _admin: string, _id: string, token: string) => p.api('POST', '/api/v1/auth/logout-all', { token })],
  ] as const) {
    test(`${what} a user closes their stream with 4401 and a message`, { timeout: 30_000 }, async () => {
      const p = get();
      const admin = await p.adminToken();
      const owner = await p.newUser(unique('owner'));
      const u = await p.newUser(unique('user'));
      const d = await p.newDevice(owner.token, { id: unique('dev'), name: 'Shared' });
      await p.api('POST', `/api/v1/devices/${d.id}/access`, { token: owner.token, body: { user_id: u.id, level: 'control' } });
      const s = await stream(p, u.token, [d.id]);
      const idle = new TestSocket(`${p.baseUrl.replace('http', 'ws')}/api/v1/stream?token=${u.token}`);
      await idle.opened();
      assert.equal((await idle.next()).type, 'ready');

      assert.equal((await act(p, admin, u.id, u.token)).status, 200);
      for (const socket of [s, idle]) {
        const msg = await socket.next();
        assert.equal(msg.type, 'error');
        assert.ok(msg.type === 'error');
        assert.equal(msg.message, `The stream ended because ${reason}; sign in again`);
        assert.equal(msg.code, code);
        assert.equal((await socket.closed).code, STREAM_CLOSE.unauthenticated);
      }
    });
  }

  test("deleting a user who owns devices and handing them to an admin ends the old owner's stream", { timeout: 30_000 }, async () => {
    const p = get();
    const admin = await p.adminToken();
    const owner = await p.newUser(unique('owner'));
    const d = await p.newDevice(owner.token, { id: unique('dev'), name: 'Handed on' });
    const s = await stream(p, owner.token, [d.id]);
    const adminStream = await stream(p, admin, [d.id]);
    const res = await p.api('DELETE', `/api/v1/users/${owner.id}?devices=transfer`, { token: admin });
    assert.deepEqual([res.status, res.body.devices_mode], [200, 'transfer']);
    const seen: StreamServerMessage[] = [];
    for (;;) {
      const m = await s.next();
      seen.push(m);
      if (m.type === 'error') break;
    }
    // The transfer drops the device first or the deletion closes the stream first: either way no more data.
    const last = seen.at(-1);
    assert.ok(last?.type === 'error' && last.code === 'INVALID_TOKEN', JSON.stringify(seen));
    assert.ok(seen.slice(0, -1).every((m) => m.type === 'access_revoked' && m.device_id === d.id && m.reason === 'transferred'), JSON.stringify(seen));
    assert.equal((await s.closed).code, STREAM_CLOSE.unauthenticated);
    await ingest(p, d.api_key, 5);
    assert.deepEqual(valuesOf(await adminStream.drain(), d.id), [5]);
    adminStream.close();
  });
});

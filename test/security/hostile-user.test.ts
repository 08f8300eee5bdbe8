// A hostile user tries a victim's device through every endpoint that names a device or a user:
// each answer is the same 404 a device that does not exist gets (no existence leak), admin-only
// endpoints answer 403, and afterwards nothing of the victim's has changed.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { onBothBackends } from '../accounts/backends.ts';

type Call = [method: string, url: string, body?: unknown];

function deviceCalls(id: string, someUserId: string): Call[] {
  return [
    ['GET', `/api/v1/devices/${id}`],
    ['GET', `/api/v1/devices/${id}/status`],
    ['PUT', `/api/v1/devices/${id}`, { name: 'pwned' }],
    ['PATCH', `/api/v1/devices/${id}`, { status: 'inactive' }],
    ['DELETE', `/api/v1/devices/${id}`],
    ['POST', `/api/v1/devices/${id}/api-key`],
    ['GET', `/api/v1/telemetry/${id}?start_time=-1000d`],
    ['GET', `/api/v1/telemetry/${id}/latest`],
    ['GET', `/api/v1/telemetry/${id}/aggregated?field=temperature&start_time=-1000d`],
    ['GET', `/api/v1/telemetry/${id}/export?start_time=-1000d&format=csv`],
    ['DELETE', `/api/v1/telemetry/${id}?start_time=-1000d`],
    ['GET', `/api/v1/energy/hourly?date=2026-01-15&device_id=${id}`],
    ['GET', `/api/v1/energy/daily?start=2026-01-01&end=2026-01-15&device_id=${id}`],
    ['GET', `/api/v1/devices/${id}/access`],
    ['POST', `/api/v1/devices/${id}/access`, { user_id: someUserId, level: 'control' }],
    ['PUT', `/api/v1/devices/${id}/access/${someUserId}`, { level: 'control' }],
    ['DELETE', `/api/v1/devices/${id}/access/${someUserId}`],
    ['POST', '/api/v1/mappings/assign', { user_id: someUserId, device_id: id }],
    ['DELETE', `/api/v1/mappings/unassign/${id}`],
    ['DELETE', `/api/v1/mappings/unassign/${id}?user_id=${someUserId}`],
  ];
}

onBothBackends('hostile user', (p) => {
  it('cannot see, read, change, share or delete another user’s device through any endpoint', async () => {
    const victim = await p().user();
    const friend = await p().user();
    const hostile = await p().user();
    const d = await p().device(victim, { device_type: 'victim-type', location: 'victim-home' });
    await p().request('POST', '/api/v1/telemetry', { headers: { 'x-api-key': d.apiKey }, body: { temperature: 20, timestamp: '2026-01-15T10:00:00Z' } });
    await p().request('POST', `/api/v1/devices/${d.id}/access`, { token: victim.token, body: { user_id: friend.userId, level: 'read' } });
    const snapshot = async () => ({
      device: (await p().request('GET', `/api/v1/devices/${d.id}`, { token: victim.token })).body,
      history: (await p().request('GET', `/api/v1/telemetry/${d.id}?start_time=-1000d`, { token: victim.token })).body,
      access: (await p().request('GET', `/api/v1/devices/${d.id}/access`, { token: victim.token })).body,
    });
    const before = await snapshot();

    for (const [method, url, body] of deviceCalls(d.id, friend.userId)) {
      const res = await p().request(method, url, { token: hostile.token, body });
      const ghostBody = body === undefined ? undefined : JSON.parse(JSON.stringify(body).replaceAll(d.id, 'no-such-device'));
      const ghost = await p().request(method, url.replaceAll(d.id, 'no-such-device'), { token: hostile.token, body: ghostBody });
      assert.deepStrictEqual([res.status, res.body?.error?.code], [404, 'DEVICE_NOT_FOUND'], `${method} ${url}`);
      assert.deepStrictEqual(res.body.error.message.replaceAll(d.id, '<id>'), ghost.body.error.message.replaceAll('no-such-device', '<id>'), `${method} ${url}: same answer as a missing device`);
      assert.doesNotMatch(res.text, /victim-type|victim-home|temperature/);
    }

    // A device key only ever reaches its own device.
    const own = await p().device(hostile);
    const byKey = await p().request('GET', `/api/v1/telemetry/${d.id}/latest`, { headers: { 'x-api-key': own.apiKey } });
    assert.deepStrictEqual([byKey.status, byKey.body.error.code], [404, 'DEVICE_NOT_FOUND']);

    // Lists and distinct values show nothing of the victim's.
    const list = await p().request('GET', '/api/v1/devices?q=device', { token: hostile.token });
    assert.deepStrictEqual(list.body.devices.map((x: { id: string }) => x.id), [own.id]);
    assert.deepStrictEqual((await p().request('GET', '/api/v1/device-types', { token: hostile.token })).body, ['sensor']);
    assert.deepStrictEqual((await p().request('GET', '/api/v1/device-locations', { token: hostile.token })).body, []);
    const energy = await p().request('GET', '/api/v1/energy/hourly?date=2026-01-15', { token: hostile.token });
    assert.deepStrictEqual(energy.body.device_ids, [own.id]);

    // User and admin endpoints about the victim.
    const mappings = await p().request('GET', `/api/v1/mappings/user/${victim.userId}/devices`, { token: hostile.token });
    assert.deepStrictEqual([mappings.status, mappings.body.error.code], [404, 'USER_NOT_FOUND']);
    for (const [method, url, body] of [
      ['GET', `/api/v1/users/${victim.userId}`],
      ['PATCH', `/api/v1/users/${victim.userId}`, { role: 'user' }],
      ['DELETE', `/api/v1/users/${victim.userId}?devices=delete`],
      ['POST', `/api/v1/users/${victim.userId}/deactivate`],
      ['POST', `/api/v1/users/${victim.userId}/sessions/revoke`],
      ['PUT', `/api/v1/admin/devices/${d.id}/status`, { status: 'maintenance' }],
      ['GET', '/api/v1/admin/devices/statuses'],
      ['GET', '/api/v1/admin/stats'],
      ['GET', `/api/v1/admin/audit?target_id=${d.id}`],
    ] as Call[]) {
      const res = await p().request(method, url, { token: hostile.token, body });
      assert.deepStrictEqual([res.status, res.body.error.code], [403, 'FORBIDDEN'], `${method} ${url}`);
    }

    assert.deepStrictEqual(await snapshot(), before, 'nothing of the victim’s changed');
    const stillWorks = await p().request('POST', '/api/v1/telemetry', { headers: { 'x-api-key': d.apiKey }, body: { temperature: 21 } });
    assert.strictEqual(stillWorks.status, 201, 'the victim device key was not rotated');
    assert.strictEqual((await p().request('GET', '/api/v1/auth/me', { token: victim.token })).status, 200, 'the victim is still logged in');
  });

  it('a read grantee is refused every write with 403 and changes nothing', async () => {
    const victim = await p().user();
    const reader = await p().user();
    const d = await p().device(victim);
    await p().request('POST', `/api/v1/devices/${d.id}/access`, { token: victim.token, body: { user_id: reader.userId, level: 'read' } });
    const before = (await p().request('GET', `/api/v1/devices/${d.id}`, { token: victim.token })).body;
    const writes = deviceCalls(d.id, reader.userId).filter(([m, url]) => m !== 'GET' && !url.includes(`/access/${reader.userId}`) && !url.includes(`user_id=${reader.userId}`));
    for (const [method, url, body] of writes) {
      const res = await p().request(method, url, { token: reader.token, body });
      assert.deepStrictEqual([res.status, res.body.error.code], [403, 'FORBIDDEN'], `${method} ${url}`);
    }
    assert.deepStrictEqual((await p().request('GET', `/api/v1/devices/${d.id}`, { token: victim.token })).body, before);
  });

  it('forged tokens claiming admin are refused on every admin and device endpoint', async () => {
    const victim = await p().user();
    const d = await p().device(victim);
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const [header, , signature] = victim.token.split('.');
    const payload = JSON.parse(Buffer.from(victim.token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    const tokens = {
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...payload, role: 'admin' })}.`,
      'payload edited, signature kept': `${header}.${b64({ ...payload, role: 'admin' })}.${signature}`,
      'expired': `${header}.${b64({ ...payload, exp: 1 })}.${signature}`,
      'no token at all': '',
    };
    for (const [label, token] of Object.entries(tokens)) {
      for (const [method, url, body] of [['GET', '/api/v1/admin/stats'], ['GET', '/api/v1/users'], ...deviceCalls(d.id, victim.userId)] as Call[]) {
        const res = await p().request(method, url, { token, body });
        assert.strictEqual(res.status, 401, `${label}: ${method} ${url} → ${res.status}`);
        assert.ok(['INVALID_TOKEN', 'UNAUTHENTICATED', 'TOKEN_EXPIRED'].includes(res.body.error.code), `${label}: ${res.body.error.code}`);
      }
    }
    assert.strictEqual((await p().request('GET', `/api/v1/devices/${d.id}`, { token: victim.token })).status, 200);
  });
});

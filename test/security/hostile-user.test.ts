// A hostile user tries a victim's device through every endpoint that names a device or a user:
// each answer is the same 404 a device that does not exist gets (no existence leak), admin-only
// endpoints answer 403, and afterwards nothing of the victim's has changed. The simulation control
// endpoints exist only in demo mode; test/simulator/demo.test.ts tries them as a hostile user.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SignJWT } from 'jose';
import { onBothBackends } from '../accounts/backends.ts';

/** Known to the test so it can sign a genuinely expired token. */
const JWT_SECRET = 'hostile-user-test-secret-0123456789abcdef';

type Call = [method: string, url: string, body?: unknown];

/** Ids of things that belong to the device (a command, an image, a log file); made up when absent. */
interface Owned {
  commandId?: string;
  imageId?: string;
  fileId?: string;
}

function deviceCalls(id: string, someUserId: string, owned: Owned = {}): Call[] {
  const { commandId = 'cmd_x', imageId = 'file_x', fileId = 'file_y' } = owned;
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
    ['POST', `/api/v1/devices/${id}/commands`, { command: 'unlock', parameters: {} }],
    ['GET', `/api/v1/devices/${id}/commands`],
    ['GET', `/api/v1/devices/${id}/commands/${commandId}`],
    ['PUT', `/api/v1/devices/${id}/state`, { desired: { target_temperature: 35 } }],
    ['GET', `/api/v1/devices/${id}/state`],
    ['GET', `/api/v1/devices/${id}/logs?start_time=-1000d`],
    ['GET', `/api/v1/devices/${id}/images`],
    ['GET', `/api/v1/devices/${id}/images/${imageId}`],
    ['DELETE', `/api/v1/devices/${id}/images/${imageId}`],
    ['POST', `/api/v1/devices/${id}/images`, { file: 'not multipart' }],
    ['GET', `/api/v1/devices/${id}/files`],
    ['GET', `/api/v1/devices/${id}/files/${fileId}`],
    ['DELETE', `/api/v1/devices/${id}/files/${fileId}`],
    ['POST', `/api/v1/devices/${id}/files`, { file: 'not multipart' }],
    ['GET', `/api/v1/telemetry/${id}/series?start_time=-1000d`],
    ['POST', '/api/v1/charts', { name: 'spy', series: [{ device_id: id, field: 'temperature' }] }],
  ];
}

/** A real multipart upload, as a hostile client would send it. */
async function upload(base: string, url: string, token: string, name: string, bytes: Buffer, type: string) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
  const res = await fetch(base + url, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: res.status, body: (await res.json()) as { id: string; error?: { code: string } } };
}

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

onBothBackends('hostile user', (p) => {
  it('cannot see, read, change, share or delete another user’s device through any endpoint', async () => {
    const victim = await p().user();
    const friend = await p().user();
    const hostile = await p().user();
    const d = await p().device(victim, { device_type: 'victim-type', location: 'victim-home' });
    // A day old, whatever day the suite runs, so the -1000d reads below find it.
    const pointTs = Math.floor((Date.now() - 86_400_000) / 1000) * 1000;
    const point = await p().request('POST', '/api/v1/telemetry', { headers: { 'x-api-key': d.apiKey }, body: { temperature: 20, timestamp: pointTs } });
    assert.strictEqual(point.status, 201);
    await p().request('POST', `/api/v1/devices/${d.id}/access`, { token: victim.token, body: { user_id: friend.userId, level: 'read' } });
    const command = await p().request('POST', `/api/v1/devices/${d.id}/commands`, { token: victim.token, body: { command: 'lock' } });
    assert.strictEqual(command.status, 201);
    assert.strictEqual((await p().request('PUT', `/api/v1/devices/${d.id}/state`, { token: victim.token, body: { desired: { target_temperature: 21 } } })).status, 200);
    const logs = await p().request('POST', `/api/v1/devices/${d.id}/logs`, { headers: { 'x-api-key': d.apiKey }, body: { level: 'info', message: 'victim log line' } });
    assert.strictEqual(logs.status, 201);
    const image = await upload(p().base, `/api/v1/devices/${d.id}/images`, victim.token, 'door.png', PNG, 'image/png');
    const file = await upload(p().base, `/api/v1/devices/${d.id}/files`, victim.token, 'boot.log', Buffer.from('victim boot log\n'), 'text/plain');
    assert.deepStrictEqual([image.status, file.status], [201, 201]);
    const owned: Owned = { commandId: command.body.id, imageId: image.body.id, fileId: file.body.id };
    const snapshot = async () => ({
      device: (await p().request('GET', `/api/v1/devices/${d.id}`, { token: victim.token })).body,
      history: (await p().request('GET', `/api/v1/telemetry/${d.id}?start_time=-1000d`, { token: victim.token })).body,
      access: (await p().request('GET', `/api/v1/devices/${d.id}/access`, { token: victim.token })).body,
      commands: (await p().request('GET', `/api/v1/devices/${d.id}/commands`, { token: victim.token })).body,
      state: (await p().request('GET', `/api/v1/devices/${d.id}/state`, { token: victim.token })).body,
      logs: (await p().request('GET', `/api/v1/devices/${d.id}/logs?start_time=-1000d`, { token: victim.token })).body,
      images: (await p().request('GET', `/api/v1/devices/${d.id}/images`, { token: victim.token })).body,
      files: (await p().request('GET', `/api/v1/devices/${d.id}/files`, { token: victim.token })).body,
    });
    const before = await snapshot();
    // The snapshot holds what the hostile calls could touch, so "unchanged" below means something.
    assert.deepStrictEqual(before.history.points.map((x: { ts: number; field: string; value: unknown }) => [x.ts, x.field, x.value]), [[pointTs, 'temperature', 20]]);
    assert.deepStrictEqual(before.logs.logs.map((x: { message: string }) => x.message), ['victim log line']);
    assert.deepStrictEqual([before.access.length, before.commands.length, before.images.total, before.files.total], [1, 1, 1, 1]);

    for (const [method, url, body] of deviceCalls(d.id, friend.userId, owned)) {
      const res = await p().request(method, url, { token: hostile.token, body });
      const ghostBody = body === undefined ? undefined : JSON.parse(JSON.stringify(body).replaceAll(d.id, 'no-such-device'));
      const ghost = await p().request(method, url.replaceAll(d.id, 'no-such-device'), { token: hostile.token, body: ghostBody });
      assert.deepStrictEqual([res.status, res.body?.error?.code], [404, 'DEVICE_NOT_FOUND'], `${method} ${url}`);
      assert.deepStrictEqual(res.body.error.message.replaceAll(d.id, '<id>'), ghost.body.error.message.replaceAll('no-such-device', '<id>'), `${method} ${url}: same answer as a missing device`);
      assert.doesNotMatch(res.text, /victim-type|victim-home|temperature|victim log|victim boot/);
    }
    for (const [segment, name, bytes, type] of [['images', 'x.png', PNG, 'image/png'], ['files', 'x.log', Buffer.from('planted\n'), 'text/plain']] as const) {
      const res = await upload(p().base, `/api/v1/devices/${d.id}/${segment}`, hostile.token, name, bytes, type);
      assert.deepStrictEqual([res.status, res.body.error?.code], [404, 'DEVICE_NOT_FOUND'], `multipart upload to ${segment}`);
    }

    // A device key only ever reaches its own device.
    const own = await p().device(hostile);
    const byKey = await p().request('GET', `/api/v1/telemetry/${d.id}/latest`, { headers: { 'x-api-key': own.apiKey } });
    assert.deepStrictEqual([byKey.status, byKey.body.error.code], [404, 'DEVICE_NOT_FOUND']);
    const logByKey = await p().request('POST', `/api/v1/devices/${d.id}/logs`, { headers: { 'x-api-key': own.apiKey }, body: { level: 'error', message: 'planted' } });
    assert.deepStrictEqual([logByKey.status, logByKey.body.error.code], [404, 'DEVICE_NOT_FOUND']);
    const logByToken = await p().request('POST', `/api/v1/devices/${d.id}/logs`, { token: hostile.token, body: { level: 'error', message: 'planted' } });
    assert.strictEqual(logByToken.status, 401, 'device logs take a device key, not a user token');

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
    const command = await p().request('POST', `/api/v1/devices/${d.id}/commands`, { token: victim.token, body: { command: 'lock' } });
    const image = await upload(p().base, `/api/v1/devices/${d.id}/images`, victim.token, 'door.png', PNG, 'image/png');
    const file = await upload(p().base, `/api/v1/devices/${d.id}/files`, victim.token, 'boot.log', Buffer.from('boot\n'), 'text/plain');
    const owned: Owned = { commandId: command.body.id, imageId: image.body.id, fileId: file.body.id };
    // A reader may drop their own grant and may chart what they can read; every other write is refused.
    const writes = deviceCalls(d.id, reader.userId, owned).filter(
      ([m, url]) => m !== 'GET' && !url.includes(`/access/${reader.userId}`) && !url.includes(`user_id=${reader.userId}`) && url !== '/api/v1/charts',
    );
    for (const [method, url, body] of writes) {
      const res = await p().request(method, url, { token: reader.token, body });
      assert.deepStrictEqual([res.status, res.body.error.code], [403, 'FORBIDDEN'], `${method} ${url}`);
    }
    for (const segment of ['images', 'files']) {
      const res = await upload(p().base, `/api/v1/devices/${d.id}/${segment}`, reader.token, 'x.png', PNG, 'image/png');
      assert.deepStrictEqual([res.status, res.body.error?.code], [403, 'FORBIDDEN'], `multipart upload to ${segment}`);
    }
    assert.deepStrictEqual((await p().request('GET', `/api/v1/devices/${d.id}`, { token: victim.token })).body, before);
    assert.strictEqual((await p().request('GET', `/api/v1/devices/${d.id}/images`, { token: victim.token })).body.total, 1);
    assert.strictEqual((await p().request('GET', `/api/v1/devices/${d.id}/commands`, { token: victim.token })).body.length, 1);
  });

  it('forged tokens claiming admin are refused on every admin and device endpoint', async () => {
    const victim = await p().user();
    const d = await p().device(victim);
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const [header, , signature] = victim.token.split('.');
    const payload = JSON.parse(Buffer.from(victim.token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    const secret = new TextEncoder().encode(JWT_SECRET);
    const expired = await new SignJWT({ ...payload, exp: Math.floor(Date.now() / 1000) - 60 }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret);
    const tokens: Record<string, [token: string, code: string]> = {
      'alg none': [`${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...payload, role: 'admin' })}.`, 'INVALID_TOKEN'],
      'payload edited, signature kept': [`${header}.${b64({ ...payload, role: 'admin' })}.${signature}`, 'INVALID_TOKEN'],
      'expiry edited, signature kept': [`${header}.${b64({ ...payload, exp: 1 })}.${signature}`, 'INVALID_TOKEN'],
      'expired, signed with the real secret': [expired, 'TOKEN_EXPIRED'],
      'no token at all': ['', 'UNAUTHENTICATED'],
    };
    for (const [label, [token, code]] of Object.entries(tokens)) {
      for (const [method, url, body] of [['GET', '/api/v1/admin/stats'], ['GET', '/api/v1/users'], ...deviceCalls(d.id, victim.userId)] as Call[]) {
        const res = await p().request(method, url, { token, body });
        assert.deepStrictEqual([res.status, res.body.error.code], [401, code], `${label}: ${method} ${url}`);
      }
    }
    assert.strictEqual((await p().request('GET', `/api/v1/devices/${d.id}`, { token: victim.token })).status, 200);
  });
}, { JWT_SECRET });

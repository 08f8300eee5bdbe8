// Admin endpoints over real HTTP: statistics, device statuses, and the audit log that services
// write for users, devices, keys and sessions.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { onBothBackends } from './backends.ts';

onBothBackends('admin', (p) => {
  it('stats count users, devices by status and type, points, ingest rate and connections', async () => {
    const admin = await p().admin();
    const u = await p().user();
    const meter = await p().device(u, { device_type: 'meter' });
    await p().device(u, { device_type: 'thermostat', status: 'maintenance' });
    const ingest = await p().request('POST', '/api/v1/telemetry', {
      headers: { 'x-api-key': meter.apiKey },
      body: [{ energy: 1, timestamp: '2026-01-15T10:00:00Z' }, { energy: 2, timestamp: '2026-01-15T10:01:00Z' }],
    });
    assert.strictEqual(ingest.status, 201);
    const res = await p().request('GET', '/api/v1/admin/stats', { token: admin.token });
    assert.strictEqual(res.status, 200);
    const { ingest_points_per_second: rate, connections, storage, ...counts } = res.body;
    assert.deepStrictEqual(counts, {
      users: 2,
      devices: 2,
      devices_by_status: { active: 1, maintenance: 1 },
      devices_by_type: { meter: 1, thermostat: 1 },
      points_stored: 2,
    });
    assert.strictEqual(rate, Math.round((2 / 60) * 1000) / 1000, 'two points in the last minute');
    assert.deepStrictEqual(Object.keys(connections), ['http', 'mqtt']);
    assert.strictEqual(connections.mqtt, 0, 'no device holds an MQTT connection');
    assert.ok(connections.http >= 1, `the request itself holds a connection (${connections.http})`);
    assert.ok(storage.kind === 'sqlite' || storage.kind === 'postgres', storage.kind);
    assert.ok(storage.bytes > 0, 'the database takes room on disk');
    assert.strictEqual(storage.bytes_per_point, Math.round((storage.bytes / 2) * 10) / 10, 'bytes ÷ the two points stored');
  });

  it('lists device statuses and sets one to maintenance', async () => {
    const admin = await p().admin();
    const u = await p().user();
    const d = await p().device(u);
    const set = await p().request('PUT', `/api/v1/admin/devices/${d.id}/status`, { token: admin.token, body: { status: 'maintenance' } });
    assert.deepStrictEqual(
      set.body,
      { id: d.id, name: set.body.name, status: 'maintenance', online: false, last_seen: null, owner_id: u.userId },
    );
    const list = await p().request('GET', '/api/v1/admin/devices/statuses?status=maintenance', { token: admin.token });
    assert.ok(list.body.devices.some((x: { id: string }) => x.id === d.id));
    assert.ok(list.body.devices.every((x: { status: string }) => x.status === 'maintenance'));
    const bad = await p().request('PUT', `/api/v1/admin/devices/${d.id}/status`, { token: admin.token, body: { status: 'broken' } });
    assert.deepStrictEqual([bad.status, bad.body.error.code], [400, 'VALIDATION_FAILED']);
    const missing = await p().request('PUT', '/api/v1/admin/devices/nope/status', { token: admin.token, body: { status: 'active' } });
    assert.deepStrictEqual([missing.status, missing.body.error.code], [404, 'DEVICE_NOT_FOUND']);
    const userTry = await p().request('PUT', `/api/v1/admin/devices/${d.id}/status`, { token: u.token, body: { status: 'active' } });
    assert.deepStrictEqual([userTry.status, userTry.body.error.code], [403, 'FORBIDDEN']);
  });

  it('the audit log records who did what to which user, device, key and session', async () => {
    const admin = await p().admin();
    const u = await p().user();
    const friend = await p().user();
    const d = await p().device(u);
    await p().request('POST', `/api/v1/devices/${d.id}/api-key`, { token: u.token });
    await p().request('POST', `/api/v1/devices/${d.id}/access`, { token: u.token, body: { user_id: friend.userId, level: 'read' } });
    await p().request('PATCH', `/api/v1/devices/${d.id}`, { token: u.token, body: { name: 'renamed' } });
    await p().request('POST', `/api/v1/users/${friend.userId}/deactivate`, { token: admin.token });
    await p().request('POST', '/api/v1/auth/logout-all', { token: u.token });

    const byUser = await p().request('GET', `/api/v1/admin/audit?actor_id=${u.userId}`, { token: admin.token });
    assert.strictEqual(byUser.status, 200);
    assert.deepStrictEqual(
      byUser.body.entries.map((e: { action: string; target_type: string; target_id: string; actor_name: string }) => [e.action, e.target_type, e.target_id, e.actor_name]),
      [
        ['session.logout-all', 'user', u.userId, u.username],
        ['device.update', 'device', d.id, u.username],
        ['device.share', 'device', d.id, u.username],
        ['key.rotate', 'key', d.id, u.username],
        ['device.create', 'device', d.id, u.username],
        ['user.register', 'user', u.userId, u.username],
      ],
    );
    assert.deepStrictEqual(byUser.body.entries[2].details, { user_id: friend.userId, level: 'read' });
    const aboutFriend = await p().request('GET', `/api/v1/admin/audit?target_type=user&target_id=${friend.userId}`, { token: admin.token });
    assert.deepStrictEqual(
      aboutFriend.body.entries.map((e: { action: string; actor_id: string }) => [e.action, e.actor_id]),
      [
        ['session.revoke-all', admin.userId],
        ['user.deactivate', admin.userId],
        ['user.register', friend.userId],
      ],
    );
    const page = await p().request('GET', `/api/v1/admin/audit?actor_id=${u.userId}&limit=2&before_id=${byUser.body.entries[1].id}`, { token: admin.token });
    assert.deepStrictEqual(page.body.entries.map((e: { action: string }) => e.action), ['device.share', 'key.rotate']);
  });
});

// The live stream over a real WebSocket against a real platform.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STREAM_CLOSE } from '../../src/contract/stream.ts';
import { ADMIN, type RunningPlatform, startPlatform } from '../helpers/running-platform.ts';
import { TestSocket } from '../helpers/stream-socket.ts';

describe('GET /api/v1/stream', () => {
  let p: RunningPlatform;
  let adminToken: string;
  let aliceToken: string;
  let deviceKey: string;
  let wsUrl: string;

  before(async () => {
    p = await startPlatform();
    wsUrl = p.url.replace('http', 'ws') + '/api/v1/stream';
    adminToken = await p.login(ADMIN.username, ADMIN.password);
    assert.equal((await p.api('POST', '/api/v1/auth/register', { body: { username: 'alice', password: 'alice-password' } })).status, 201);
    aliceToken = await p.login('alice', 'alice-password');
    const created = await p.api('POST', '/api/v1/devices', { token: adminToken, body: { id: 'thermo-1', name: 'Thermostat' } });
    assert.equal(created.status, 201);
    deviceKey = created.body.api_key;
    assert.equal((await p.api('POST', '/api/v1/devices', { token: aliceToken, body: { id: 'alice-1', name: 'Alice sensor' } })).status, 201);
  });
  after(async () => p.stop());

  test('token in the query: subscribe, then stored points arrive with their device id', async () => {
    const s = new TestSocket(`${wsUrl}?token=${adminToken}`);
    await s.opened();
    assert.deepEqual(await s.next(), { type: 'ready', user_id: (await p.api('GET', '/api/v1/auth/me', { token: adminToken })).body.id, username: 'admin' });
    s.send({ type: 'subscribe', device_ids: ['thermo-1', 'nope'] });
    assert.deepEqual(await s.next(), { type: 'subscribed', device_ids: ['thermo-1'], denied: ['nope'] });
    const ingest = await p.api('POST', '/api/v1/telemetry', {
      apiKey: deviceKey,
      body: { data: { temperature: 21.5, heating: true, mode: 'eco' }, timestamp: 1_700_000_000_000 },
    });
    assert.equal(ingest.status, 201);
    const msg = await s.next();
    assert.equal(msg.type, 'points');
    assert.ok(msg.type === 'points');
    assert.equal(msg.device_id, 'thermo-1');
    assert.deepEqual(
      [...msg.points].sort((a, b) => a.field.localeCompare(b.field)),
      [
        { ts: 1_700_000_000_000, field: 'heating', value: true },
        { ts: 1_700_000_000_000, field: 'mode', value: 'eco' },
        { ts: 1_700_000_000_000, field: 'temperature', value: 21.5 },
      ],
    );
    s.send({ type: 'unsubscribe', device_ids: ['thermo-1'] });
    assert.deepEqual(await s.next(), { type: 'unsubscribed', device_ids: ['thermo-1'] });
    s.send({ type: 'ping' });
    assert.deepEqual(await s.next(), { type: 'pong' });
    s.close();
  });

  test('token as first message; a user cannot follow a device that is not theirs', async () => {
    const s = new TestSocket(wsUrl);
    await s.opened();
    s.send({ type: 'auth', token: aliceToken });
    assert.equal((await s.next()).type, 'ready');
    s.send({ type: 'subscribe', device_ids: ['thermo-1', 'alice-1'] });
    assert.deepEqual(await s.next(), { type: 'subscribed', device_ids: ['alice-1'], denied: ['thermo-1'] });
    // Points of the device Alice may not read never reach her; her own do.
    assert.equal((await p.api('POST', '/api/v1/telemetry', { apiKey: deviceKey, body: { temperature: 30 } })).status, 201);
    s.send({ type: 'ping' });
    assert.deepEqual(await s.next(), { type: 'pong' });
    s.close();
  });

  test('a bad token closes the connection with 4401', async () => {
    const s = new TestSocket(`${wsUrl}?token=not-a-token`);
    await s.opened();
    const msg = await s.next();
    assert.equal(msg.type, 'error');
    assert.equal(msg.type === 'error' && msg.code, 'INVALID_TOKEN');
    assert.deepEqual((await s.closed).code, STREAM_CLOSE.unauthenticated);
  });

  test('subscribing before authenticating is refused; bad messages name the problem', async () => {
    const s = new TestSocket(wsUrl);
    await s.opened();
    s.send('{not json');
    assert.deepEqual(await s.next(), { type: 'error', code: 'INVALID_JSON', message: 'Messages must be JSON objects' });
    s.send({ type: 'subscribe', device_ids: [] });
    const invalid = await s.next();
    assert.equal(invalid.type === 'error' && invalid.code, 'VALIDATION_FAILED');
    assert.match(invalid.type === 'error' ? invalid.message : '', /^device_ids:/);
    s.send({ type: 'subscribe', device_ids: ['thermo-1'] });
    assert.equal((await s.next()).type, 'error');
    assert.equal((await s.closed).code, STREAM_CLOSE.unauthenticated);
  });

  test('status changes and command results on the bus reach followers only', async () => {
    const s = new TestSocket(`${wsUrl}?token=${aliceToken}`);
    await s.opened();
    await s.next();
    s.send({ type: 'subscribe', device_ids: ['alice-1'] });
    await s.next();
    p.platform.bus.emit('device.status', { deviceId: 'thermo-1', online: true, at: 5, reason: 'connected' });
    p.platform.bus.emit('device.status', { deviceId: 'alice-1', online: false, at: 7, reason: 'disconnected' });
    assert.deepEqual(await s.next(), { type: 'status', device_id: 'alice-1', online: false, last_seen: 7 });
    const command = { id: 'c1', deviceId: 'alice-1', command: 'set_power', parameters: {}, status: 'acked' as const, createdBy: null, createdAt: 1, expiresAt: 2, deliveredAt: 1, completedAt: 2, result: { ok: true }, error: null };
    p.platform.bus.emit('command.updated', { command });
    assert.deepEqual(await s.next(), { type: 'command', device_id: 'alice-1', command_id: 'c1', command: 'set_power', status: 'acked', result: { ok: true } });
    s.close();
  });

  test('deleting a followed device tells the follower', async () => {
    const created = await p.api('POST', '/api/v1/devices', { token: adminToken, body: { id: 'doomed', name: 'Doomed' } });
    assert.equal(created.status, 201);
    const s = new TestSocket(`${wsUrl}?token=${adminToken}`);
    await s.opened();
    await s.next();
    s.send({ type: 'subscribe', device_ids: ['doomed'] });
    assert.deepEqual(await s.next(), { type: 'subscribed', device_ids: ['doomed'], denied: [] });
    assert.equal((await p.api('DELETE', '/api/v1/devices/doomed?confirm=true', { token: adminToken })).status, 204);
    assert.deepEqual(await s.next(), { type: 'device_deleted', device_id: 'doomed' });
    s.close();
  });
});

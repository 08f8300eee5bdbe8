// The broker hooks (POST /api/v1/mqtt/auth, /mqtt/acl) under abuse: off in embedded-broker mode and
// without MQTT_HOOK_SECRET, one identical 401 for every caller without the secret (no password
// oracle, no device-id oracle), failed checks counted against the login limit, and admin MQTT
// credentials verified once then answered from the cache until the password changes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { metricValue } from '../helpers/metric.ts';
import { connectMqtt } from '../helpers/mqtt.ts';
import { ADMIN_PASSWORD, type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';
import { mosquittoSkipReason } from '../helpers/services.ts';

const SECRET = 's3cr3t-'.repeat(6);
const checks = (tp: TestPlatform) => metricValue(tp.platform, 'fluxgate_mqtt_admin_password_checks_total');

describe('MQTT hooks in embedded-broker mode', { timeout: 60_000 }, () => {
  let tp: TestPlatform;
  before(async () => {
    tp = await startTestPlatform();
  });
  after(async () => {
    await tp.stop();
  });

  test('the hooks do not exist: the admin password cannot be guessed through them', async () => {
    const before = await checks(tp);
    for (const [path, body] of [
      ['/api/v1/mqtt/auth', { username: 'admin', password: ADMIN_PASSWORD }],
      ['/api/v1/mqtt/auth', { username: 'admin', password: 'wrong-guess' }],
      ['/api/v1/mqtt/acl', { username: 'admin', topic: 'devices/x/data', action: 'publish' }],
    ] as const) {
      const res = await tp.request('POST', path, body, { authorization: `Bearer ${SECRET}` });
      assert.deepEqual([res.status, res.body.error.code], [404, 'ROUTE_NOT_FOUND'], `${path} ${body.username}`);
    }
    assert.equal(await checks(tp), before, 'no password was checked');
    assert.equal((await tp.request('GET', '/health')).status, 200);
  });

  test('a reconnecting admin pays one password check; after a password change the old password is refused at once', async () => {
    const first = await checks(tp);
    for (let i = 0; i < 3; i++) {
      const c = await connectMqtt(tp.mqttUrl, { username: 'admin', password: ADMIN_PASSWORD, clientId: `admin-cache-${i}` });
      await c.endAsync();
    }
    assert.equal(await checks(tp), first + 1, 'three CONNECTs, one argon2 check');
    const changed = await tp.request(
      'PUT',
      '/api/v1/users/me/password',
      { current_password: ADMIN_PASSWORD, new_password: 'a-new-admin-password' },
      { authorization: `Bearer ${tp.adminToken}` },
    );
    assert.equal(changed.status, 204);
    await assert.rejects(
      connectMqtt(tp.mqttUrl, { username: 'admin', password: ADMIN_PASSWORD, clientId: 'admin-old' }),
      (err: Error & { code?: number }) => err.code === 4,
    );
    const renewed = await connectMqtt(tp.mqttUrl, { username: 'admin', password: 'a-new-admin-password', clientId: 'admin-new' });
    await renewed.endAsync();
    const wrong = checks(tp);
    await assert.rejects(connectMqtt(tp.mqttUrl, { username: 'admin', password: 'not-it-either', clientId: 'admin-bad' }));
    await assert.rejects(connectMqtt(tp.mqttUrl, { username: 'admin', password: 'not-it-either', clientId: 'admin-bad' }));
    assert.equal(await checks(tp), (await wrong) + 2, 'failures are never cached');
  });
});

const skip = await mosquittoSkipReason();

describe('MQTT hooks in external-broker mode', { skip: skip ?? false, timeout: 60_000 }, () => {
  const prefix = `fghooks-${process.pid}`;
  let tp: TestPlatform;
  let unprotected: TestPlatform;
  let dev: { id: string; apiKey: string };
  const broker = { authorization: `Bearer ${SECRET}` };

  before(async () => {
    const env = { MQTT_URL: 'mqtt://127.0.0.1:1883', MQTT_TOPIC_PREFIX: prefix };
    tp = await startTestPlatform({ ...env, MQTT_HOOK_SECRET: SECRET, RATE_LIMIT_LOGIN: '8/600' });
    unprotected = await startTestPlatform(env);
    dev = await tp.createDevice('hooked-dev');
  });
  after(async () => {
    await tp?.stop();
    await unprotected?.stop();
  });

  test('without MQTT_HOOK_SECRET the hooks stay off', async () => {
    const res = await unprotected.request('POST', '/api/v1/mqtt/auth', { username: 'admin', password: ADMIN_PASSWORD });
    assert.deepEqual([res.status, res.body.error.code], [404, 'ROUTE_NOT_FOUND']);
  });

  test('the secret is accepted as Bearer, as Basic password and as X-Fluxgate-Hook-Secret', async () => {
    for (const headers of [broker, { authorization: `Basic ${Buffer.from(`mosquitto:${SECRET}`).toString('base64')}` }, { 'x-fluxgate-hook-secret': SECRET }]) {
      const res = await tp.request('POST', '/api/v1/mqtt/auth', { username: dev.id, password: dev.apiKey }, headers);
      assert.deepEqual([res.status, res.body], [200, { result: 'allow', is_superuser: false }], JSON.stringify(headers));
    }
  });

  test('without the secret every question gets the same 401: no password oracle, no device-id oracle', async () => {
    const before = await checks(tp);
    const answers = [];
    for (const headers of [{}, { authorization: `Bearer ${SECRET}x` }] as Array<Record<string, string>>) {
      for (const [path, body] of [
        ['/api/v1/mqtt/auth', { username: 'admin', password: ADMIN_PASSWORD }],
        ['/api/v1/mqtt/acl', { username: dev.id, topic: `${prefix}/devices/${dev.id}/data`, action: 'publish' }],
        ['/api/v1/mqtt/acl', { username: 'no-such-device', topic: `${prefix}/devices/no-such-device/data`, action: 'publish' }],
      ] as const) {
        const res = await tp.request('POST', path, body, headers);
        answers.push([res.status, res.body]);
      }
    }
    for (const a of answers) {
      assert.deepEqual(a, [401, { error: { code: 'UNAUTHENTICATED', message: 'The MQTT hook secret (MQTT_HOOK_SECRET) is missing or wrong' } }]);
    }
    assert.equal(await checks(tp), before, 'no password was checked');
    assert.equal(answers.length, 6);
    assert.equal(await metricValue(tp.platform, 'fluxgate_mqtt_refused_total', { action: 'hook_secret' }), 6);
  });

  test('with the secret, an unknown user and a forbidden topic get the same deny', async () => {
    const ask = (username: string, topic: string) => tp.request('POST', '/api/v1/mqtt/acl', { username, topic, action: 'publish' }, broker);
    const unknown = await ask('no-such-device', `${prefix}/devices/no-such-device/data`);
    const forbidden = await ask(dev.id, `${prefix}/devices/other-device/data`);
    assert.deepEqual([unknown.status, unknown.body], [403, { result: 'deny' }]);
    assert.deepEqual([forbidden.status, forbidden.body], [unknown.status, unknown.body]);
    assert.equal((await ask(dev.id, `${prefix}/devices/${dev.id}/data`)).status, 200);
  });

  test('failed hook auths count against the login limit per username and per device address; other users are unaffected', async () => {
    const auth = (username: string, password: string, peerhost?: string) =>
      tp.request('POST', '/api/v1/mqtt/auth', { username, password, ...(peerhost ? { peerhost } : {}) }, broker);
    for (let i = 0; i < 8; i++) assert.deepEqual((await auth('admin', `guess-${i}`)).body, { result: 'deny' });
    const locked = await auth('admin', ADMIN_PASSWORD);
    assert.deepEqual([locked.status, locked.body.error.code, locked.body.error.details.limit], [429, 'RATE_LIMITED', 'login']);
    assert.equal((await auth(dev.id, dev.apiKey)).status, 200, 'a device of the same broker still connects');
    // The limit per device address is the one /auth/login uses (six bad secrets from here already
    // counted): an address locked out there is locked out here.
    for (let i = 0; i < 2; i++) await tp.request('POST', '/api/v1/auth/login', { username: 'nobody', password: `guess-${i}` });
    assert.equal((await tp.request('POST', '/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).status, 429);
    const viaHook = await auth(dev.id, dev.apiKey, '127.0.0.1');
    assert.deepEqual([viaHook.status, viaHook.body.error.code], [429, 'RATE_LIMITED']);
    assert.equal((await auth(dev.id, dev.apiKey, '203.0.113.9')).status, 200, 'another device address is unaffected');
    assert.equal((await tp.request('GET', '/health')).status, 200);
  });
});

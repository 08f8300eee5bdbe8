// Every channel against a real receiver, on both storages: a webhook (HTTP server on 127.0.0.1,
// allowed with WEBHOOK_ALLOW_PRIVATE), email (an SMTP server in this process) and MQTT (a real
// subscriber on alarms/{device_id}). Recipients are the owner and users the device is shared
// with, each filtered by their preferences; failures are retried, then dead-lettered for admins.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, it } from 'node:test';
import { connectMqtt, nextMessage } from '../helpers/mqtt.ts';
import { ADMIN_PASSWORD, forEachStorage } from '../helpers/platform.ts';
import { eventually, hotRule, send } from '../rules/helpers.ts';
import { type SmtpReceiver, type WebhookReceiver, startSmtpReceiver, startWebhookReceiver } from './receivers.ts';

const SECRET = 'a-webhook-secret-of-some-length';
const smtp: SmtpReceiver = await startSmtpReceiver();
after(() => smtp.close());

const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

forEachStorage(
  'notifications',
  (get, kind) => {
    let hook: WebhookReceiver;
    before(async () => {
      hook = await startWebhookReceiver();
    });
    after(() => hook.close());

    it('an alarm reaches the owner by webhook (signed, with an idempotency key), email and MQTT; clearing is sent too', async () => {
      const tp = get();
      const owner = await tp.newUser(`owner-${kind}`);
      const key = (await tp.newDevice(owner.token, { id: 'kiln', name: 'Kiln', device_type: 'oven' })).api_key;
      const saved = await tp.api('PUT', '/api/v1/notifications/preferences', {
        token: owner.token,
        body: { severities: ['major', 'critical'], channels: { webhook: { url: hook.url, secret: SECRET }, email: { address: 'owner@example.test' }, mqtt: true } },
      });
      assert.equal(saved.status, 200, saved.text);
      assert.deepEqual(saved.body.channels.webhook, { url: hook.url, secret_set: true });
      assert.equal((await tp.api('GET', '/api/v1/notifications/preferences', { token: owner.token })).body.channels.email.address, 'owner@example.test');

      const sub = await connectMqtt(`mqtt://127.0.0.1:${tp.platform.mqtt?.port}`, { username: 'admin', password: ADMIN_PASSWORD });
      try {
        await sub.subscribeAsync('alarms/kiln', { qos: 1 });
        const published = nextMessage(sub, 'alarms/kiln');
        assert.equal((await tp.api('POST', '/api/v1/rules', { token: owner.token, body: hotRule('kiln') })).status, 201);
        await send(tp, key, { temperature: 45 });

        const raised = await eventually('webhook delivery', async () => hook.deliveries.find((d) => JSON.parse(d.body).event === 'raised'));
        assert.equal(raised.headers['x-fluxgate-signature'], sign(raised.body), 'HMAC-SHA256 of the body with the secret');
        assert.match(String(raised.headers['x-fluxgate-idempotency-key']), /^[0-9a-f]{40}$/);
        assert.equal(raised.headers['content-type'], 'application/json');
        const body = JSON.parse(raised.body);
        assert.equal(body.alarm.device_id, 'kiln');
        assert.equal(body.alarm.severity, 'major');
        assert.equal(body.alarm.state, 'active');

        const mqttBody = JSON.parse((await published).payload.toString('utf8'));
        assert.equal(mqttBody.event, 'raised');
        assert.equal(mqttBody.alarm.id, body.alarm.id);

        const mail = await eventually('email', async () => smtp.messages.find((m) => m.text?.includes(body.alarm.id)));
        assert.equal(mail.to && !Array.isArray(mail.to) ? mail.to.text : '', 'owner@example.test');
        assert.match(mail.subject ?? '', /\[major\] too hot: kiln raised on kiln/);
        const mailKey = String(mail.headers.get('x-fluxgate-idempotency-key'));
        assert.match(mailKey, /^[0-9a-f]{40}$/);
        assert.notEqual(mailKey, raised.headers['x-fluxgate-idempotency-key'], 'one key per channel');

        await send(tp, key, { temperature: 20 });
        const cleared = await eventually('cleared webhook', async () => hook.deliveries.find((d) => JSON.parse(d.body).event === 'cleared'));
        assert.equal(JSON.parse(cleared.body).alarm.id, body.alarm.id);
        assert.notEqual(cleared.headers['x-fluxgate-idempotency-key'], raised.headers['x-fluxgate-idempotency-key']);
      } finally {
        await sub.endAsync();
      }
    });

    it('shared users who opted in are notified; severity and device filters and users without access are respected', async () => {
      const tp = get();
      hook.deliveries.length = 0;
      const owner = await tp.newUser(`owner2-${kind}`);
      const shared = await tp.newUser(`shared-${kind}`);
      const picky = await tp.newUser(`picky-${kind}`);
      const stranger = await tp.newUser(`stranger-${kind}`);
      const key = (await tp.newDevice(owner.token, { id: 'boiler', name: 'Boiler' })).api_key;
      for (const u of [shared, picky]) {
        assert.equal((await tp.api('POST', '/api/v1/devices/boiler/access', { token: owner.token, body: { user_id: u.id, level: 'read' } })).status, 201);
      }
      const prefs = (path: string, more: Record<string, unknown> = {}) => ({ severities: ['major'], channels: { webhook: { url: `${hook.url}/${path}`, secret: SECRET } }, ...more });
      const put = async (token: string, body: unknown) => assert.equal((await tp.api('PUT', '/api/v1/notifications/preferences', { token, body })).status, 200);
      await put(shared.token, prefs('shared', { device_ids: ['boiler'] }));
      await put(picky.token, prefs('picky', { severities: ['critical'] }));
      await put(stranger.token, prefs('stranger'));

      await tp.api('POST', '/api/v1/rules', { token: owner.token, body: hotRule('boiler') });
      await send(tp, key, { temperature: 50 });
      await eventually('shared user notified', async () => hook.deliveries.some((d) => d.path === '/hook/shared'));
      await tp.platform.notificationDispatcher.settled();
      const paths = new Set(hook.deliveries.map((d) => d.path));
      assert.deepEqual([...paths], ['/hook/shared'], 'the owner saved no preferences, picky wants critical only, the stranger has no access');
    });

    it('a failing receiver is retried with the same key, then dead-lettered; admins see it and retry it; redirects are not followed', async () => {
      const tp = get();
      hook.deliveries.length = 0;
      hook.status = 302;
      const owner = await tp.newUser(`owner3-${kind}`);
      const key = (await tp.newDevice(owner.token, { id: 'press', name: 'Press' })).api_key;
      await tp.api('PUT', '/api/v1/notifications/preferences', { token: owner.token, body: { severities: ['major'], channels: { webhook: { url: `${hook.url}/press`, secret: SECRET } } } });
      await tp.api('POST', '/api/v1/rules', { token: owner.token, body: hotRule('press') });
      await send(tp, key, { temperature: 50 });

      const admin = await tp.adminToken();
      const dead = await eventually('dead letter', async () => {
        const res = await tp.api('GET', '/api/v1/notifications/dead-letters', { token: admin });
        return res.body.items.find((i: { target: string }) => i.target === `${hook.url}/press`);
      });
      assert.equal(dead.attempts, 3);
      assert.equal(dead.state, 'dead');
      assert.match(dead.last_error, /302 \(a redirect\)/);
      assert.equal(JSON.stringify(dead).includes(SECRET), false, 'the secret is never shown');
      const tries = hook.deliveries.filter((d) => d.path === '/hook/press');
      assert.equal(tries.length, 3);
      assert.equal(new Set(tries.map((d) => d.headers['x-fluxgate-idempotency-key'])).size, 1, 'one key for every attempt');
      assert.equal(hook.deliveries.some((d) => d.path === '/hook/redirected'), false, 'the redirect was not followed');

      const forbidden = await tp.api('GET', '/api/v1/notifications/dead-letters', { token: owner.token });
      assert.equal(forbidden.status, 403);
      assert.equal((await tp.api('POST', `/api/v1/notifications/dead-letters/${dead.id}/retry`, { token: owner.token })).status, 403);

      hook.status = 200;
      const retried = await tp.api('POST', `/api/v1/notifications/dead-letters/${dead.id}/retry`, { token: admin });
      assert.equal(retried.status, 200, retried.text);
      assert.equal(retried.body.state, 'pending');
      const ok = await eventually('delivered after retry', async () => hook.deliveries.find((d) => d.path === '/hook/press' && d.status === 200));
      assert.equal(ok.headers['x-fluxgate-idempotency-key'], tries[0]?.headers['x-fluxgate-idempotency-key']);
      const again = await tp.api('POST', `/api/v1/notifications/dead-letters/${dead.id}/retry`, { token: admin });
      assert.equal(again.status, 404);
      assert.equal(again.body.error.code, 'NOTIFICATION_NOT_FOUND');
    });

    it('escalation: a user with escalate_after_s is told only of alarms still unacknowledged by then', async () => {
      const tp = get();
      hook.deliveries.length = 0;
      const owner = await tp.newUser(`owner4-${kind}`);
      const manager = await tp.newUser(`manager-${kind}`);
      const keys: Record<string, string> = {};
      for (const id of ['left-alone', 'looked-after']) {
        keys[id] = (await tp.newDevice(owner.token, { id, name: id })).api_key;
        await tp.api('POST', `/api/v1/devices/${id}/access`, { token: owner.token, body: { user_id: manager.id, level: 'read' } });
        await tp.api('POST', '/api/v1/rules', { token: owner.token, body: hotRule(id) });
      }
      const put = await tp.api('PUT', '/api/v1/notifications/preferences', {
        token: manager.token,
        body: { severities: ['major'], channels: { webhook: { url: `${hook.url}/manager`, secret: SECRET } }, escalate_after_s: 3 },
      });
      assert.equal(put.status, 200, put.text);
      assert.equal(put.body.escalate_after_s, 3);

      // The owner acknowledges one alarm as soon as it is raised, well before the 3 s are up.
      await send(tp, keys['looked-after'] as string, { temperature: 50 });
      const acked = await eventually('alarm raised', async () => (await tp.api('GET', '/api/v1/alarms?device_id=looked-after&state=open', { token: owner.token })).body.alarms[0]);
      assert.equal((await tp.api('POST', `/api/v1/alarms/${acked.id}/ack`, { token: owner.token, body: {} })).status, 200);
      await send(tp, keys['left-alone'] as string, { temperature: 50 });

      const escalated = await eventually('escalation delivered', async () => hook.deliveries.find((d) => d.path === '/hook/manager'));
      const body = JSON.parse(escalated.body);
      assert.equal(body.event, 'unacknowledged');
      assert.equal(body.alarm.device_id, 'left-alone');
      assert.deepEqual(body.escalation, { after_s: 3 });
      assert.equal(escalated.headers['x-fluxgate-event'], 'unacknowledged');
      const skipped = await eventually('the acknowledged one is settled', async () => {
        const rows = await tp.platform.storage.listNotifications({ alarmId: acked.id, limit: 10, offset: 0 });
        return rows.items.length === 1 && rows.items[0]?.state === 'sent' ? rows.items[0] : undefined;
      });
      assert.equal(skipped.attempts, 0, 'not sent: it was acknowledged in time');
      assert.equal(hook.deliveries.filter((d) => d.path === '/hook/manager').length, 1);
    });

    it('bad preferences get 400 with the bad part named', async () => {
      const tp = get();
      const user = await tp.newUser(`validator-${kind}`);
      const bad = async (body: unknown, pattern: RegExp) => {
        const res = await tp.api('PUT', '/api/v1/notifications/preferences', { token: user.token, body });
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.error.code, 'VALIDATION_FAILED');
        assert.match(JSON.stringify(res.body.error), pattern);
      };
      await bad({ severities: ['loud'], channels: {} }, /severities/);
      await bad({ severities: ['major'], channels: {}, quiet_hours: { start: '22:00', end: '07:00', time_zone: 'Mars/Olympus' } }, /IANA time zone/);
      await bad({ severities: ['major'], channels: {}, quiet_hours: { start: '25:00', end: '07:00', time_zone: 'UTC' } }, /HH:MM/);
      await bad({ severities: ['major'], channels: { webhook: { url: hook.url, secret: 'short' } } }, /16 characters/);
      await bad({ severities: ['major'], channels: { sms: {} } }, /sms/);
      const ok = await tp.api('PUT', '/api/v1/notifications/preferences', { token: user.token, body: { severities: ['major'], channels: {}, quiet_hours: { start: '22:00', end: '07:00', time_zone: 'Europe/Berlin' } } });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(ok.body.quiet_hours, { start: '22:00', end: '07:00', time_zone: 'Europe/Berlin' });
      // A webhook without a secret keeps the saved one, for the same URL only.
      const hookBody = (secret?: string, url = `${hook.url}/a`) => ({ severities: ['major'], channels: { webhook: { url, ...(secret ? { secret } : {}) } } });
      const noSecret = await tp.api('PUT', '/api/v1/notifications/preferences', { token: user.token, body: hookBody() });
      assert.equal(noSecret.status, 400, noSecret.text);
      assert.match(noSecret.body.error.message, /channels\.webhook\.secret/);
      assert.equal((await tp.api('PUT', '/api/v1/notifications/preferences', { token: user.token, body: hookBody(SECRET) })).status, 200);
      const kept = await tp.api('PUT', '/api/v1/notifications/preferences', { token: user.token, body: hookBody() });
      assert.equal(kept.status, 200, kept.text);
      assert.deepEqual(kept.body.channels.webhook, { url: `${hook.url}/a`, secret_set: true });
      assert.equal((await tp.api('PUT', '/api/v1/notifications/preferences', { token: user.token, body: hookBody(undefined, `${hook.url}/b`) })).status, 400);
    });
  },
  { WEBHOOK_ALLOW_PRIVATE: 'true', SMTP_URL: smtp.url, RULES_TICK_MS: '100', NOTIFY_POLL_MS: '100', NOTIFY_RETRY_BASE_MS: '50', NOTIFY_MAX_ATTEMPTS: '3' },
);

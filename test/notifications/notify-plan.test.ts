// A rule's notification plan, on both storages, against a real HTTP receiver and SMTP server: step 0
// is told at once (its users through their own preferences, its addresses by email); the next step
// only when the alarm is still unacknowledged when due, and nobody of it when someone acknowledged
// in time. Users named in a plan who may not read the device hear nothing.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachStorage } from '../helpers/platform.ts';
import { eventually, hotRule, send } from '../rules/helpers.ts';
import { type SmtpReceiver, type WebhookReceiver, startSmtpReceiver, startWebhookReceiver } from './receivers.ts';

const SECRET = 'a-webhook-secret-of-some-length';
const smtp: SmtpReceiver = await startSmtpReceiver();
after(() => smtp.close());

forEachStorage(
  'rule notification plan',
  (get, kind) => {
    let hook: WebhookReceiver;
    before(async () => {
      hook = await startWebhookReceiver();
    });
    after(() => hook.close());

    it('step 0 at once, the next step only while unacknowledged; users by their preferences and access', async () => {
      const tp = get();
      const owner = await tp.newUser(`planner-${kind}`);
      const ops = await tp.newUser(`ops-${kind}`);
      const boss = await tp.newUser(`boss-${kind}`);
      const outsider = await tp.newUser(`outsider-${kind}`);
      const keys: Record<string, string> = {};
      for (const id of ['tank-a', 'tank-b']) {
        keys[id] = (await tp.newDevice(owner.token, { id, name: id })).api_key;
        for (const u of [ops, boss]) await tp.api('POST', `/api/v1/devices/${id}/access`, { token: owner.token, body: { user_id: u.id, level: 'read' } });
      }
      for (const [user, name] of [[ops, 'ops'], [boss, 'boss'], [outsider, 'outsider']] as const) {
        const put = await tp.api('PUT', '/api/v1/notifications/preferences', { token: user.token, body: { severities: ['major'], channels: { webhook: { url: `${hook.url}/${name}-${kind}`, secret: SECRET } } } });
        assert.equal(put.status, 200, put.text);
      }
      const notify = [
        { after_s: 0, users: [`ops-${kind}`, `outsider-${kind}`], emails: [`desk-${kind}@example.test`] },
        { after_s: 2, users: [`boss-${kind}`], emails: [`oncall-${kind}@example.test`] },
      ];
      for (const id of ['tank-a', 'tank-b']) {
        const res = await tp.api('POST', '/api/v1/rules', { token: owner.token, body: hotRule(id, { notify }) });
        assert.equal(res.status, 201, res.text);
        assert.deepEqual(res.body.notify, notify);
      }

      // tank-b is acknowledged as soon as it is raised, well before its second step is due.
      await send(tp, keys['tank-b'] as string, { temperature: 50 });
      const acked = await eventually('tank-b raised', async () => (await tp.api('GET', '/api/v1/alarms?device_id=tank-b&state=open', { token: owner.token })).body.alarms[0]);
      assert.equal((await tp.api('POST', `/api/v1/alarms/${acked.id}/ack`, { token: owner.token, body: {} })).status, 200);
      await send(tp, keys['tank-a'] as string, { temperature: 50 });

      const at = (path: string, deviceId: string) => hook.deliveries.filter((d) => d.path === `/hook/${path}-${kind}` && JSON.parse(d.body).alarm.device_id === deviceId);
      const mailTo = (who: string, deviceId: string) => smtp.messages.filter((m) => m.to && !Array.isArray(m.to) && m.to.text === `${who}-${kind}@example.test` && m.text?.includes(`"device_id": "${deviceId}"`));

      const first = await eventually('step 0 by webhook', async () => at('ops', 'tank-a')[0]);
      assert.equal(JSON.parse(first.body).event, 'raised');
      await eventually('step 0 by email', async () => mailTo('desk', 'tank-a')[0]);
      const escalated = await eventually('step 1 by webhook', async () => at('boss', 'tank-a')[0]);
      assert.equal(JSON.parse(escalated.body).event, 'unacknowledged');
      assert.deepEqual(JSON.parse(escalated.body).escalation, { after_s: 2 });
      const mail = await eventually('step 1 by email', async () => mailTo('oncall', 'tank-a')[0]);
      assert.match(mail.subject ?? '', /not acknowledged after 2 s/);

      const rowsOfAcked = await eventually('every row of the acknowledged alarm settled', async () => {
        const rows = await tp.platform.storage.listNotifications({ alarmId: acked.id, limit: 50, offset: 0 });
        return rows.items.length > 0 && rows.items.every((r) => r.state === 'sent') ? rows.items : undefined;
      });
      const skipped = rowsOfAcked.filter((r) => r.payload.event === 'unacknowledged');
      assert.equal(skipped.length, 2, 'boss and the on-call address were queued for tank-b');
      assert.deepEqual(skipped.map((r) => r.attempts), [0, 0], 'and not sent: it was acknowledged in time');
      assert.deepEqual(at('boss', 'tank-a').map((d) => JSON.parse(d.body).event), ['unacknowledged'], 'the plan, not the share, decides when boss hears');
      assert.equal(at('boss', 'tank-b').length, 0);
      assert.equal(mailTo('oncall', 'tank-b').length, 0);
      assert.equal(at('ops', 'tank-b').length, 1, 'step 0 was told of tank-b');
      assert.equal(hook.deliveries.some((d) => d.path.startsWith('/hook/outsider')), false, 'a plan user who may not read the device hears nothing');
    });

    it('a plan naming an unknown user or a bad address is refused, naming the part', async () => {
      const tp = get();
      const token = await tp.adminToken();
      await tp.newDevice(token, { id: `plan-check-${kind}`, name: 'x' });
      const post = (notify: unknown) => tp.api('POST', '/api/v1/rules', { token, body: hotRule(`plan-check-${kind}`, { notify }) });
      const unknown = await post([{ after_s: 0, users: ['nobody-at-all'] }]);
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error.code, 'USER_NOT_FOUND');
      assert.match(unknown.body.error.message, /notify\.0\.users\.0: no user named nobody-at-all/);
      const cases: Array<[unknown, RegExp]> = [
        [[{ after_s: 0, emails: ['not-an-address'] }], /notify\.0\.emails\.0/],
        [[{ after_s: 0 }], /notify\.0\.users: name at least one user or email address/],
        [[{ after_s: 60, emails: ['a@example.test'] }, { after_s: 30, emails: ['b@example.test'] }], /notify\.1\.after_s: steps must come in increasing after_s/],
      ];
      for (const [notify, message] of cases) {
        const res = await post(notify);
        assert.equal(res.status, 400, JSON.stringify(notify));
        assert.match(res.body.error.message, message);
      }
    });
  },
  { WEBHOOK_ALLOW_PRIVATE: 'true', SMTP_URL: smtp.url, RULES_TICK_MS: '100', NOTIFY_POLL_MS: '100', NOTIFY_RETRY_BASE_MS: '50', NOTIFY_MAX_ATTEMPTS: '3' },
);

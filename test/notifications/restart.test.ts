// The outbox is durable: a notification still pending when the platform stops (its receiver was
// failing) is sent after the restart, once, with the same idempotency key; enqueuing the same
// alarm change again stores nothing new. Its rows are written in the alarm change's transaction, so
// a node that stops right after the change (nothing after the commit runs) loses no notification.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { STORAGES, startPlatform } from '../helpers/platform.ts';
import { dropSchema, postgresSkipReason, uniqueSchema } from '../helpers/services.ts';
import { eventually, hotRule, send } from '../rules/helpers.ts';
import { startWebhookReceiver } from './receivers.ts';

const pgSkip = await postgresSkipReason();
const SECRET = 'a-webhook-secret-of-some-length';

/** A platform that keeps its data across restarts (its own SQLite directory or PostgreSQL schema), with fast timers. */
function restartEnv(kind: (typeof STORAGES)[number], name: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    WEBHOOK_ALLOW_PRIVATE: '127.0.0.0/8',
    RULES_TICK_MS: '100',
    NOTIFY_POLL_MS: '100',
    ...extra,
    ...(kind === 'sqlite' ? { DATA_DIR: mkdtempSync(path.join(os.tmpdir(), `fluxgate-${name}-`)) } : { DATABASE_SCHEMA: uniqueSchema(name) }),
  };
}

async function removeData(env: Record<string, string>): Promise<void> {
  if (env.DATA_DIR) rmSync(env.DATA_DIR, { recursive: true, force: true });
  if (env.DATABASE_SCHEMA) await dropSchema(env.DATABASE_SCHEMA);
}

for (const kind of STORAGES) {
  it(`a pending notification is sent after a restart, once, with a stable key [${kind}]`, { skip: kind === 'postgres' ? (pgSkip ?? false) : false }, async () => {
    const env = restartEnv(kind, 'notify_restart', { NOTIFY_RETRY_BASE_MS: '100', NOTIFY_MAX_ATTEMPTS: '30' });
    const hook = await startWebhookReceiver();
    try {
      hook.status = 503;
      const first = await startPlatform(kind, env);
      let alarmId: string;
      try {
        const user = await first.newUser('restart-owner');
        const key = (await first.newDevice(user.token, { id: 'oven', name: 'Oven' })).api_key;
        const put = await first.api('PUT', '/api/v1/notifications/preferences', { token: user.token, body: { severities: ['major'], channels: { webhook: { url: hook.url, secret: SECRET } } } });
        assert.equal(put.status, 200, put.text);
        await first.api('POST', '/api/v1/rules', { token: user.token, body: hotRule('oven') });
        await send(first, key, { temperature: 45 });
        await eventually('a failed attempt', async () => hook.deliveries.length > 0);
        alarmId = JSON.parse(hook.deliveries[0]?.body ?? '{}').alarm.id;
      } finally {
        await first.stop();
      }
      const failedKeys = new Set(hook.deliveries.map((d) => d.headers['x-fluxgate-idempotency-key']));
      assert.equal(failedKeys.size, 1);
      assert.ok(hook.deliveries.every((d) => d.status === 503));

      hook.status = 200;
      const second = await startPlatform(kind, env);
      try {
        const ok = await eventually('sent after the restart', async () => hook.deliveries.find((d) => d.status === 200));
        assert.ok(failedKeys.has(ok.headers['x-fluxgate-idempotency-key']), 'the same key as before the restart');
        assert.equal(JSON.parse(ok.body).alarm.id, alarmId);

        // The same alarm change enqueued again (as another node would) is not stored twice.
        const alarm = await second.platform.storage.getAlarm(alarmId);
        assert.ok(alarm);
        assert.equal(await second.platform.notificationOutbox.enqueue({ alarm, kind: 'raised', at: alarm.raisedAt, userId: null, comment: null }), 0);

        second.platform.notificationDispatcher.kick();
        await second.platform.notificationDispatcher.settled();
        assert.equal(hook.deliveries.filter((d) => d.status === 200).length, 1, 'sent once');
        const rows = await second.platform.storage.listNotifications({ alarmId, limit: 10, offset: 0 });
        assert.deepEqual(rows.items.map((r) => [r.channel, r.state]), [['webhook', 'sent']]);
        assert.equal(rows.items[0]?.attempts, hook.deliveries.length);
      } finally {
        await second.stop();
      }
    } finally {
      await hook.close();
      await removeData(env);
    }
  });
}

for (const kind of STORAGES) {
  it(`a node that stops right after an alarm change loses none of its notifications [${kind}]`, { skip: kind === 'postgres' ? (pgSkip ?? false) : false }, async () => {
    const env = restartEnv(kind, 'notify_crash');
    const hook = await startWebhookReceiver();
    try {
      const first = await startPlatform(kind, env);
      let alarmId: string;
      try {
        // Nothing that runs after the alarm's commit (bus listeners, the dispatcher) gets to run.
        await first.platform.notificationDispatcher.stop();
        await first.platform.notificationOutbox.stop();
        const user = await first.newUser('crash-owner');
        const key = (await first.newDevice(user.token, { id: 'still', name: 'Still' })).api_key;
        await first.api('PUT', '/api/v1/notifications/preferences', { token: user.token, body: { severities: ['major'], channels: { webhook: { url: hook.url, secret: SECRET } } } });
        await first.api('POST', '/api/v1/rules', { token: user.token, body: hotRule('still') });
        await send(first, key, { temperature: 45 });
        alarmId = (await eventually('the alarm', async () => (await first.api('GET', '/api/v1/alarms?device_id=still', { token: user.token })).body.alarms[0])).id;
        const rows = await first.platform.storage.listNotifications({ alarmId, limit: 10, offset: 0 });
        assert.deepEqual(rows.items.map((r) => [r.channel, r.state]), [['webhook', 'pending']], 'stored with the alarm, before anything else ran');
      } finally {
        await first.stop();
      }
      assert.equal(hook.deliveries.length, 0);

      const second = await startPlatform(kind, env);
      try {
        const sent = await eventually('sent after the restart', async () => hook.deliveries[0]);
        assert.equal(JSON.parse(sent.body).alarm.id, alarmId);
        assert.equal(JSON.parse(sent.body).event, 'raised');
      } finally {
        await second.stop();
      }
    } finally {
      await hook.close();
      await removeData(env);
    }
  });
}

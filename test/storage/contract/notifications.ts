// Contract: the notifications outbox and preferences. A row is stored once per idempotency key
// (also from a second handle: another node); a due row is claimed by one dispatcher only and comes
// back when its lease ends; failures move it forward or to dead; only dead rows can be retried.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NewOutboxRow, OutboxRow } from '../../../src/domain/notification.ts';
import { T0, type OpenStorage, freshDatabase, makeUser, uid } from './fixture.ts';

const newRow = (key: string, over: Partial<NewOutboxRow> = {}): NewOutboxRow => ({
  id: uid('n'),
  alarmId: 'alarm-1',
  eventKind: 'raised',
  channel: 'webhook',
  recipient: 'u1',
  target: { url: 'https://hooks.example.test/x', secret: 's'.repeat(16) },
  payload: { event: 'raised', alarm: { id: 'alarm-1' } },
  idempotencyKey: key,
  createdAt: T0,
  ...over,
});

export function notificationContract(open: OpenStorage): void {
  describe('notifications outbox and preferences', () => {
    const db = freshDatabase(open);

    it('stores one row per idempotency key, also from a second handle', async () => {
      const key = uid('key');
      assert.strictEqual(await db.storage.enqueueNotifications([newRow(key), newRow(uid('key2'))]), 2);
      assert.strictEqual(await db.storage.enqueueNotifications([newRow(key)]), 0);
      const other = await db.another();
      assert.strictEqual(await other.enqueueNotifications([newRow(key)]), 0);
      const rows = (await db.storage.listNotifications({ limit: 100, offset: 0 })).items.filter((r) => r.idempotencyKey === key);
      assert.strictEqual(rows.length, 1);
      assert.deepStrictEqual([rows[0]?.state, rows[0]?.attempts, rows[0]?.payload], ['pending', 0, { event: 'raised', alarm: { id: 'alarm-1' } }]);
    });

    it('claims a due row once, gives it back after the lease, marks failures, dead letters and retries', async () => {
      const alarmId = uid('alarm');
      await db.storage.enqueueNotifications([newRow(uid('k'), { alarmId, createdAt: T0 + 1000 }), newRow(uid('k'), { alarmId, createdAt: T0 + 1000, notBefore: T0 + 60_000 })]);
      const mine = (rows: OutboxRow[]) => rows.filter((r) => r.alarmId === alarmId);
      assert.deepStrictEqual(mine(await db.storage.claimNotifications(T0, 10, 5000)), [], 'not due yet');
      const claimed = mine(await db.storage.claimNotifications(T0 + 1000, 10, 5000));
      assert.strictEqual(claimed.length, 1, 'the delayed row is not due');
      assert.deepStrictEqual(mine(await db.storage.claimNotifications(T0 + 1000, 10, 5000)), [], 'claimed rows are leased');
      const row = claimed[0]!;
      assert.deepStrictEqual(mine(await db.storage.claimNotifications(T0 + 6000, 10, 5000)).map((r) => r.id), [row.id], 'back after the lease');

      await db.storage.markNotificationFailed(row.id, 1, 'receiver answered 500', T0 + 8000, T0 + 7000);
      assert.deepStrictEqual(mine(await db.storage.claimNotifications(T0 + 7999, 10, 5000)), []);
      await db.storage.markNotificationFailed(row.id, 2, 'receiver answered 500 again', null, T0 + 9000);
      const dead = (await db.storage.listNotifications({ state: 'dead', alarmId, limit: 10, offset: 0 })).items;
      assert.deepStrictEqual(dead.map((r) => [r.id, r.attempts, r.lastError]), [[row.id, 2, 'receiver answered 500 again']]);

      const retried = await db.storage.retryNotification(row.id, T0 + 10_000);
      assert.deepStrictEqual([retried?.state, retried?.attempts], ['pending', 0]);
      assert.strictEqual(await db.storage.retryNotification(row.id, T0 + 10_000), undefined, 'only dead rows');
      const again = mine(await db.storage.claimNotifications(T0 + 10_000, 10, 5000)).find((r) => r.id === row.id);
      assert.ok(again);
      await db.storage.markNotificationSent(row.id, 1, T0 + 11_000);
      assert.deepStrictEqual((await db.storage.listNotifications({ state: 'sent', alarmId, limit: 10, offset: 0 })).items.map((r) => r.id), [row.id]);
    });

    it('keeps each user\'s preferences, replaced as a whole', async () => {
      const user = await makeUser(db.storage);
      assert.strictEqual(await db.storage.getNotificationPreferences(user.id), undefined);
      const prefs = { severities: ['major' as const], channels: { mqtt: true }, quietHours: { start: '22:00', end: '07:00', timeZone: 'UTC' } };
      await db.storage.setNotificationPreferences(user.id, prefs, T0);
      assert.deepStrictEqual(await db.storage.getNotificationPreferences(user.id), prefs);
      await db.storage.setNotificationPreferences(user.id, { severities: ['critical'], channels: {} }, T0 + 1);
      assert.deepStrictEqual(await db.storage.getNotificationPreferences(user.id), { severities: ['critical'], channels: {} });
    });
  });
}

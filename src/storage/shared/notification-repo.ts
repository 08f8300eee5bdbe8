// The notifications outbox and per-user notification preferences, written once with Kysely for
// both adapters (RelationalRepo extends this).
import type { NewOutboxRow, NotificationPreferences, OutboxRow, OutboxState } from '../../domain/notification.ts';
import { AlarmRepo } from './alarm-repo.ts';
import { outboxValues } from './outbox-rows.ts';
import type { NotificationsOutboxTable } from './schema.ts';

function toOutboxRow(row: NotificationsOutboxTable): OutboxRow {
  return {
    id: row.id,
    alarmId: row.alarm_id,
    eventKind: row.event_kind as OutboxRow['eventKind'],
    channel: row.channel as OutboxRow['channel'],
    recipient: row.recipient,
    target: JSON.parse(row.target) as OutboxRow['target'],
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    idempotencyKey: row.idempotency_key,
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    state: row.state as OutboxState,
    lastError: row.last_error,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export class NotificationRepo extends AlarmRepo {
  /** Stores the rows whose idempotency key is new (ON CONFLICT DO NOTHING); returns how many were new. */
  async enqueueNotifications(rows: readonly NewOutboxRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const result = await this.kysely
      .insertInto('notifications_outbox')
      .values(outboxValues(rows))
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0);
  }

  /**
   * Claims up to `limit` pending rows due at `now` by moving their next attempt `leaseMs` ahead, so
   * no other dispatcher takes them meanwhile and a dispatcher that dies leaves them to be retried.
   */
  async claimNotifications(now: number, limit: number, leaseMs: number): Promise<OutboxRow[]> {
    const due = await this.kysely
      .selectFrom('notifications_outbox')
      .selectAll()
      .where('state', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    const claimed: OutboxRow[] = [];
    for (const row of due) {
      const result = await this.kysely
        .updateTable('notifications_outbox')
        .set({ next_attempt_at: now + leaseMs, updated_at: now })
        .where('id', '=', row.id)
        .where('state', '=', 'pending')
        .where('next_attempt_at', '=', row.next_attempt_at)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) claimed.push(toOutboxRow(row));
    }
    return claimed;
  }

  async markNotificationSent(id: string, attempts: number, at: number): Promise<void> {
    await this.kysely.updateTable('notifications_outbox').set({ state: 'sent', attempts, last_error: null, updated_at: at }).where('id', '=', id).execute();
  }

  /** Records a failed attempt: pending again at `nextAttemptAt`, or dead when that is null. */
  async markNotificationFailed(id: string, attempts: number, error: string, nextAttemptAt: number | null, at: number): Promise<void> {
    await this.kysely
      .updateTable('notifications_outbox')
      .set({ attempts, last_error: error.slice(0, 1000), updated_at: at, ...(nextAttemptAt === null ? { state: 'dead' } : { next_attempt_at: nextAttemptAt }) })
      .where('id', '=', id)
      .execute();
  }

  async listNotifications(filter: { state?: OutboxState; alarmId?: string; limit: number; offset: number }): Promise<{ items: OutboxRow[]; total: number }> {
    let query = this.kysely.selectFrom('notifications_outbox');
    if (filter.state !== undefined) query = query.where('state', '=', filter.state);
    if (filter.alarmId !== undefined) query = query.where('alarm_id', '=', filter.alarmId);
    const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await query.selectAll().orderBy('updated_at', 'desc').orderBy('id').limit(filter.limit).offset(filter.offset).execute();
    return { items: rows.map(toOutboxRow), total: Number(total.n) };
  }

  /** Puts a dead row back in the queue with fresh attempts; the row after, or undefined when it is not dead. */
  async retryNotification(id: string, now: number): Promise<OutboxRow | undefined> {
    const result = await this.kysely
      .updateTable('notifications_outbox')
      .set({ state: 'pending', attempts: 0, next_attempt_at: now, updated_at: now })
      .where('id', '=', id)
      .where('state', '=', 'dead')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    const row = await this.kysely.selectFrom('notifications_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return toOutboxRow(row);
  }

  async getNotificationPreferences(userId: string): Promise<NotificationPreferences | undefined> {
    const row = await this.kysely.selectFrom('notification_preferences').select('preferences').where('user_id', '=', userId).executeTakeFirst();
    return row ? (JSON.parse(row.preferences) as NotificationPreferences) : undefined;
  }

  async setNotificationPreferences(userId: string, prefs: NotificationPreferences, at: number): Promise<void> {
    const preferences = JSON.stringify(prefs);
    await this.kysely
      .insertInto('notification_preferences')
      .values({ user_id: userId, preferences, updated_at: at })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ preferences, updated_at: at }))
      .execute();
  }
}

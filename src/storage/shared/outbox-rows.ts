// New outbox rows as table rows: shared by the outbox's own inserts and by alarm changes, which
// write their notifications in the same transaction as the change.
import type { NewOutboxRow } from '../../domain/notification.ts';
import type { NotificationsOutboxTable } from './schema.ts';

export const outboxValues = (rows: readonly NewOutboxRow[]): NotificationsOutboxTable[] =>
  rows.map((r) => ({
    id: r.id,
    alarm_id: r.alarmId,
    event_kind: r.eventKind,
    channel: r.channel,
    recipient: r.recipient,
    target: JSON.stringify(r.target),
    payload: JSON.stringify(r.payload),
    idempotency_key: r.idempotencyKey,
    attempts: 0,
    next_attempt_at: r.notBefore ?? r.createdAt,
    state: 'pending',
    last_error: null,
    created_at: r.createdAt,
    updated_at: r.createdAt,
  }));

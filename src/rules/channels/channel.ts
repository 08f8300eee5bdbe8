// A notification channel sends one outbox row; it throws on failure (the dispatcher retries).
import type { NotificationChannel, OutboxRow } from '../../domain/notification.ts';

export interface Channel {
  readonly name: NotificationChannel;
  send(row: OutboxRow): Promise<void>;
}

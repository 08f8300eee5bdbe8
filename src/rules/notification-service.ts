// Notification preferences per user, and the admins' view of the outbox's dead letters (with retry).
import { FluxgateError } from '../contract/errors.ts';
import type { NotificationPreferences, OutboxRow } from '../domain/notification.ts';
import type { Principal } from '../services/auth-service.ts';
import type { Storage } from '../storage/storage.ts';
import { type PrivateAllowance, checkWebhookTarget } from './channels/webhook-guard.ts';

/** Before a user saves anything: every severity from warning up, no channel yet (so nothing is sent). */
export const DEFAULT_PREFERENCES: NotificationPreferences = { severities: ['warning', 'minor', 'major', 'critical'], channels: {} };

export class NotificationService {
  constructor(
    private readonly storage: Storage,
    private readonly options: { allowPrivate: PrivateAllowance; onRetry: () => void; now?: () => number },
  ) {}

  async preferences(principal: Principal): Promise<NotificationPreferences> {
    return (await this.storage.getNotificationPreferences(principal.userId)) ?? DEFAULT_PREFERENCES;
  }

  /** Saves the user's preferences; a webhook URL is checked against SSRF now, and again at each send. */
  async setPreferences(principal: Principal, prefs: NotificationPreferences): Promise<NotificationPreferences> {
    if (prefs.channels.webhook) await checkWebhookTarget(prefs.channels.webhook.url, this.options.allowPrivate);
    await this.storage.setNotificationPreferences(principal.userId, prefs, this.now());
    return prefs;
  }

  async deadLetters(principal: Principal, page: { limit: number; offset: number }): Promise<{ items: OutboxRow[]; total: number }> {
    requireAdmin(principal);
    return this.storage.listNotifications({ state: 'dead', ...page });
  }

  async retry(principal: Principal, id: string): Promise<OutboxRow> {
    requireAdmin(principal);
    const row = await this.storage.retryNotification(id, this.now());
    if (!row) throw new FluxgateError('NOTIFICATION_NOT_FOUND', `No dead-letter notification ${id}`);
    this.options.onRetry();
    return row;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}

function requireAdmin(principal: Principal): void {
  if (principal.role !== 'admin') throw new FluxgateError('FORBIDDEN', 'Only admins see and retry dead-letter notifications');
}

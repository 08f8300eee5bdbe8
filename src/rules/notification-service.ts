// Notification preferences per user, and the admins' view of the outbox's dead letters (with retry).
import { FluxgateError } from '../contract/errors.ts';
import type { NotificationPreferences, OutboxRow } from '../domain/notification.ts';
import type { Principal } from '../services/auth-service.ts';
import type { Storage } from '../storage/storage.ts';
import { type PrivateAllowance, checkWebhookTarget } from './channels/webhook-guard.ts';

/** Preferences as a user sends them: the webhook secret may be left out to keep the saved one. */
export type WithOptionalSecret = Omit<NotificationPreferences, 'channels'> & {
  channels: Omit<NotificationPreferences['channels'], 'webhook'> & { webhook?: { url: string; secret?: string | undefined } | undefined };
};

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

  /**
   * Saves the user's preferences; a webhook URL is checked against SSRF now, and again at each send.
   * A webhook without a secret keeps the saved secret, if the URL is the saved one.
   */
  async setPreferences(principal: Principal, input: WithOptionalSecret): Promise<NotificationPreferences> {
    const hook = input.channels.webhook;
    let webhook: { url: string; secret: string } | undefined;
    if (hook) {
      const saved = (await this.storage.getNotificationPreferences(principal.userId))?.channels.webhook;
      const secret = hook.secret ?? (saved?.url === hook.url ? saved.secret : undefined);
      if (secret === undefined) {
        throw new FluxgateError('VALIDATION_FAILED', 'channels.webhook.secret: give a secret (at least 16 characters) for a new webhook URL', {
          issues: [{ field: 'body.channels.webhook.secret', message: 'give a secret for a new webhook URL' }],
        });
      }
      webhook = { url: hook.url, secret };
    }
    const prefs: NotificationPreferences = { ...input, channels: { ...input.channels, webhook } };
    if (webhook) await checkWebhookTarget(webhook.url, this.options.allowPrivate);
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

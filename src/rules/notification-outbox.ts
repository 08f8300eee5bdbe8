// Turns alarm changes (raised, escalated, cleared) into outbox rows: one per recipient and channel,
// plus one broker publish per change. Recipients are the device's owner and the users it is shared
// with, each filtered by their own preferences (severities, devices, device types, quiet hours); a
// user without saved preferences receives nothing. The idempotency key is derived from the change
// itself, so the same change enqueued again (another node, a restart) is stored once.
import { createHash, randomUUID } from 'node:crypto';
import type { Alarm } from '../domain/alarm.ts';
import { NOTIFIED_KINDS, type NewOutboxRow, type NotifiedKind, wantsNotification } from '../domain/notification.ts';
import type { BusEvents, EventBus } from '../services/event-bus.ts';
import type { Storage } from '../storage/storage.ts';

const OWNER = 'notification-outbox';

export const idempotencyKey = (...parts: ReadonlyArray<string | number | null>): string =>
  createHash('sha256').update(parts.map(String).join('\u0000')).digest('hex').slice(0, 40);

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const HEADLINE: Record<NotifiedKind, string> = { raised: 'raised', severity_changed: 'escalated', cleared: 'cleared' };

/** What every channel carries: the change, the alarm after it, and a one-line message. */
export function alarmPayload(kind: NotifiedKind, at: number, alarm: Alarm): Record<string, unknown> {
  return {
    event: kind,
    at: iso(at),
    message: `[${alarm.severity}] ${alarm.ruleName} ${HEADLINE[kind]} on ${alarm.deviceId}`,
    alarm: {
      id: alarm.id,
      rule_id: alarm.ruleId,
      rule_name: alarm.ruleName,
      device_id: alarm.deviceId,
      severity: alarm.severity,
      state: alarm.state,
      raised_at: iso(alarm.raisedAt),
      acknowledged_at: iso(alarm.acknowledgedAt),
      cleared_at: iso(alarm.clearedAt),
      details: alarm.details,
    },
  };
}

/** The escalation message: sent only if the alarm is still active (not acknowledged, not cleared) when due. */
function unacknowledgedPayload(payload: Record<string, unknown>, afterS: number): Record<string, unknown> {
  return { ...payload, event: 'unacknowledged', message: `${String(payload.message)}; not acknowledged after ${afterS} s`, escalation: { after_s: afterS } };
}

export class NotificationOutbox {
  private readonly queue: Array<BusEvents['alarm.changed']> = [];
  private draining: Promise<void> | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly bus: EventBus,
    private readonly options: { onEnqueued: () => void; onError: (err: unknown) => void; now?: () => number },
  ) {}

  start(): void {
    this.bus.on('alarm.changed', OWNER, (event) => {
      if (!(NOTIFIED_KINDS as readonly string[]).includes(event.kind)) return;
      this.queue.push(event);
      this.draining ??= this.drain();
    });
  }

  /** Resolves when every change seen so far is in the outbox. */
  async settled(): Promise<void> {
    while (this.draining) await this.draining;
  }

  async stop(): Promise<void> {
    this.bus.removeOwner(OWNER);
    await this.settled();
  }

  /**
   * One change after another, with a turn of the event loop between them: 10,000 alarms raised at
   * once started 10,000 chains of reads that only yielded to each other (promise continuations), and
   * /health waited seconds behind them.
   */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const event = this.queue.shift()!;
      try {
        if ((await this.enqueue(event)) > 0) this.options.onEnqueued();
      } catch (err) {
        this.options.onError(err);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.draining = undefined;
  }

  /** Stores the rows of one alarm change; returns how many were new. */
  async enqueue(event: BusEvents['alarm.changed']): Promise<number> {
    const { alarm, at } = event;
    const kind = event.kind as NotifiedKind;
    const device = await this.storage.getDevice(alarm.deviceId);
    if (!device) return 0;
    const payload = alarmPayload(kind, at, alarm);
    const now = this.options.now?.() ?? Date.now();
    const change = [alarm.id, kind, at, alarm.severity] as const;
    const rows: NewOutboxRow[] = [];
    const row = (channel: NewOutboxRow['channel'], recipient: string | null, target: NewOutboxRow['target'], escalateAfterS?: number): NewOutboxRow => ({
      id: randomUUID(),
      alarmId: alarm.id,
      eventKind: kind,
      channel,
      recipient,
      target,
      payload: escalateAfterS === undefined ? payload : unacknowledgedPayload(payload, escalateAfterS),
      idempotencyKey: idempotencyKey(...change, channel, recipient),
      createdAt: now,
      notBefore: escalateAfterS === undefined ? undefined : alarm.raisedAt + escalateAfterS * 1000,
    });
    const recipients = new Set([device.ownerId, ...(await this.storage.listAccess(device.id)).map((g) => g.userId)]);
    for (const userId of recipients) {
      const prefs = await this.storage.getNotificationPreferences(userId);
      if (!prefs || !wantsNotification(prefs, alarm, device.deviceType, at)) continue;
      const user = await this.storage.getUser(userId);
      if (!user?.isActive) continue;
      const escalateAfterS = prefs.escalateAfterS;
      if (escalateAfterS !== undefined && kind !== 'raised') continue;
      const { webhook, email, mqtt } = prefs.channels;
      if (webhook) rows.push(row('webhook', userId, webhook, escalateAfterS));
      if (email) rows.push(row('email', userId, email, escalateAfterS));
      // One publish per change on alarms/{device_id}, however many users asked for it.
      if (mqtt) rows.push(row('mqtt', null, {}));
    }
    const unique = [...new Map(rows.map((r) => [r.idempotencyKey, r])).values()];
    return this.storage.enqueueNotifications(unique);
  }
}

// Turns alarm changes (raised, escalated, cleared) into outbox rows: one per recipient and channel,
// plus one broker publish per change. Recipients (notify-recipients.ts) are the device's owner and
// the users it is shared with, and the steps of the rule's notification plan, each user filtered by
// their own preferences (severities, devices, device types, quiet hours); a user without saved
// preferences receives nothing. AlarmService stores the rows in the same transaction as the alarm
// change (prepare), so a crash between the two cannot lose a notification. The idempotency key is
// derived from the change itself, so the same change enqueued again (another node) is stored once.
import { createHash, randomUUID } from 'node:crypto';
import type { Alarm, AlarmEventKind } from '../domain/alarm.ts';
import { NOTIFIED_KINDS, type NewOutboxRow, type NotifiedKind } from '../domain/notification.ts';
import type { BusEvents, EventBus } from '../services/event-bus.ts';
import type { Storage } from '../storage/storage.ts';
import { type Recipient, recipientsOf } from './notify-recipients.ts';

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
  constructor(
    private readonly storage: Storage,
    private readonly bus: EventBus,
    private readonly options: { onEnqueued: () => void; now?: () => number },
  ) {}

  start(): void {
    // The rows are already stored with the change (AlarmService → prepare); this only wakes the dispatcher.
    this.bus.on('alarm.changed', OWNER, (event) => {
      if ((NOTIFIED_KINDS as readonly string[]).includes(event.kind)) this.options.onEnqueued();
    });
  }

  async stop(): Promise<void> {
    this.bus.removeOwner(OWNER);
  }

  /** Stores the rows of one alarm change (again: the keys make it a no-op); returns how many were new. */
  async enqueue(event: BusEvents['alarm.changed']): Promise<number> {
    const rowsFor = await this.prepare(event.alarm, event.kind, event.at);
    return rowsFor ? this.storage.enqueueNotifications(rowsFor(event.alarm)) : 0;
  }

  /**
   * Before an alarm change is stored: who is told of it (preferences, plan, access are read now), as a
   * function from the alarm after the change to its outbox rows, which storage writes in the change's
   * own transaction. `alarm` carries the severity after the change. Undefined: the kind notifies nobody.
   */
  async prepare(alarm: Alarm, eventKind: AlarmEventKind, at: number): Promise<((after: Alarm) => NewOutboxRow[]) | undefined> {
    if (!(NOTIFIED_KINDS as readonly string[]).includes(eventKind)) return undefined;
    const kind = eventKind as NotifiedKind;
    const device = await this.storage.getDevice(alarm.deviceId);
    if (!device) return undefined;
    const plan = (await this.storage.getRule(alarm.ruleId))?.definition.notify ?? [];
    const recipients = await recipientsOf(this.storage, device, alarm, kind, at, plan);
    const now = this.options.now?.() ?? Date.now();
    return (after) => rowsOf(after, kind, at, recipients, now);
  }
}

/** One row per recipient and channel, one broker publish: what an alarm change puts in the outbox. */
function rowsOf(alarm: Alarm, kind: NotifiedKind, at: number, recipients: readonly Recipient[], now: number): NewOutboxRow[] {
  const payload = alarmPayload(kind, at, alarm);
  const change = [alarm.id, kind, at, alarm.severity] as const;
  const rows: NewOutboxRow[] = [];
  const row = (channel: NewOutboxRow['channel'], r: Recipient | null, target: NewOutboxRow['target']): NewOutboxRow => {
    const recipient = r?.userId ?? null;
    const afterS = r?.afterS;
    // A plan step's rows carry the step and the address, so one user in two steps gets both.
    const keyParts = r?.step === undefined ? [recipient] : [recipient, `step ${r.step}`, 'address' in target ? target.address : null];
    return {
      id: randomUUID(),
      alarmId: alarm.id,
      eventKind: kind,
      channel,
      recipient,
      target,
      payload: afterS === undefined ? payload : unacknowledgedPayload(payload, afterS),
      idempotencyKey: idempotencyKey(...change, channel, ...keyParts),
      createdAt: now,
      notBefore: afterS === undefined ? undefined : alarm.raisedAt + afterS * 1000,
    };
  };
  for (const r of recipients) {
    const { webhook, email, mqtt } = r.channels;
    if (webhook) rows.push(row('webhook', r, webhook));
    if (email) rows.push(row('email', r, email));
    // One publish per change on alarms/{device_id}, however many users asked for it.
    if (mqtt) rows.push(row('mqtt', null, {}));
  }
  return [...new Map(rows.map((r) => [r.idempotencyKey, r])).values()];
}

// Notifications of alarm changes: what each user wants to receive (preferences) and the durable
// outbox rows the dispatcher sends, at least once, each with an idempotency key that stays the same
// across retries, restarts and nodes.
import type { Severity } from './rule.ts';

export const NOTIFICATION_CHANNELS = ['webhook', 'email', 'mqtt'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/** The alarm changes that notify: raised, escalated (severity changed) and cleared. */
export const NOTIFIED_KINDS = ['raised', 'severity_changed', 'cleared'] as const;
export type NotifiedKind = (typeof NOTIFIED_KINDS)[number];

export const OUTBOX_STATES = ['pending', 'sent', 'dead'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export interface QuietHours {
  /** "HH:MM" local time; a window may wrap midnight (22:00–07:00). */
  start: string;
  end: string;
  /** IANA time zone, e.g. Europe/Berlin. */
  timeZone: string;
}

export interface NotificationPreferences {
  /** Severities that notify (the alarm's severity after the change). */
  severities: readonly Severity[];
  channels: {
    webhook?: { url: string; secret: string } | undefined;
    email?: { address: string } | undefined;
    /** Publish to alarms/{device_id} on the broker. */
    mqtt?: boolean | undefined;
  };
  /** Only these devices (absent or empty: all the user may read). */
  deviceIds?: readonly string[] | undefined;
  /** Only devices of these types (absent or empty: any). */
  deviceTypes?: readonly string[] | undefined;
  quietHours?: QuietHours | undefined;
  /**
   * Escalation: this user is the next set of recipients. They are told of a raised alarm only when it
   * is still unacknowledged this many seconds after it was raised (and of nothing else).
   */
  escalateAfterS?: number | undefined;
}

/** Where a row goes: a webhook URL with its secret, an email address, or the broker (no target). */
export type OutboxTarget = { url: string; secret: string } | { address: string } | Record<string, never>;

export interface NewOutboxRow {
  id: string;
  alarmId: string;
  eventKind: NotifiedKind;
  channel: NotificationChannel;
  /** The user the row is for, or null for the broker (one publish per alarm change). */
  recipient: string | null;
  target: OutboxTarget;
  payload: Record<string, unknown>;
  idempotencyKey: string;
  createdAt: number;
  /** Not sent before this time (escalation: "still unacknowledged after X"); absent: at once. */
  notBefore?: number | undefined;
}

export interface OutboxRow extends NewOutboxRow {
  attempts: number;
  nextAttemptAt: number;
  state: OutboxState;
  lastError: string | null;
  updatedAt: number;
}

/** Minutes since local midnight of `at` in `timeZone`. */
function localMinutes(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether `at` falls inside the quiet hours (start inclusive, end exclusive; may wrap midnight). */
export function inQuietHours(quiet: QuietHours, at: number): boolean {
  const now = localMinutes(at, quiet.timeZone);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return false;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Whether a user with `prefs` wants to hear of this alarm change now. */
export function wantsNotification(prefs: NotificationPreferences, alarm: { deviceId: string; severity: Severity }, deviceType: string, at: number): boolean {
  if (!prefs.severities.includes(alarm.severity)) return false;
  if (prefs.deviceIds?.length && !prefs.deviceIds.includes(alarm.deviceId)) return false;
  if (prefs.deviceTypes?.length && !prefs.deviceTypes.includes(deviceType)) return false;
  return !(prefs.quietHours && inQuietHours(prefs.quietHours, at));
}

/** Delay before attempt `attempts + 1` after `attempts` failures: base, 2×base, 4×base… */
export const retryDelay = (attempts: number, baseMs: number): number => baseMs * 2 ** Math.max(0, attempts - 1);

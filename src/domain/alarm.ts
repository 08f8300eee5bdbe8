// Alarms: one open row per (rule, device), moving active → acknowledged → cleared, each change
// recorded as an event with who, when and an optional comment.
import type { NewOutboxRow } from './notification.ts';
import type { Severity } from './rule.ts';

export const ALARM_STATES = ['active', 'acknowledged', 'cleared'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

export const ALARM_EVENT_KINDS = ['raised', 'acknowledged', 'cleared', 'severity_changed', 'comment', 'action'] as const;
export type AlarmEventKind = (typeof ALARM_EVENT_KINDS)[number];

export interface Alarm {
  id: string;
  ruleId: string;
  ruleName: string;
  deviceId: string;
  severity: Severity;
  state: AlarmState;
  raisedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  clearedAt: number | null;
  /** The user who cleared it, or null when the rule's clear condition did. */
  clearedBy: string | null;
  /** What was seen when it was raised (field values), for the reader. */
  details: Record<string, unknown>;
  updatedAt: number;
}

export type NewAlarm = Pick<Alarm, 'id' | 'ruleId' | 'ruleName' | 'deviceId' | 'severity' | 'raisedAt' | 'details'>;

export interface AlarmEvent {
  id: number;
  alarmId: string;
  deviceId: string;
  kind: AlarmEventKind;
  at: number;
  /** The user, or null for the rule engine. */
  userId: string | null;
  comment: string | null;
  /** severity_changed: the old and new severity. */
  details: Record<string, unknown>;
}

export type NewAlarmEvent = Omit<AlarmEvent, 'id'>;

export interface AlarmFilter {
  /** Only alarms of devices this user owns or that are shared with them (absent: all, for admins). */
  visibleTo?: string | undefined;
  deviceId?: string | undefined;
  deviceType?: string | undefined;
  ruleId?: string | undefined;
  severities?: readonly Severity[] | undefined;
  states?: readonly AlarmState[] | undefined;
  /** raised_at in [from, to). */
  from?: number | undefined;
  to?: number | undefined;
  limit: number;
  offset: number;
}

/** A change to an open alarm: applied only while its state is one of `from`. */
export interface AlarmTransition {
  from: readonly AlarmState[];
  set: Partial<Pick<Alarm, 'state' | 'severity' | 'acknowledgedAt' | 'acknowledgedBy' | 'clearedAt' | 'clearedBy'>>;
  event: Omit<NewAlarmEvent, 'alarmId' | 'deviceId'>;
  /** The notifications of the change, from the alarm after it: stored in the same transaction. */
  outbox?: ((alarm: Alarm) => NewOutboxRow[]) | undefined;
}

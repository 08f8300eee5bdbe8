// Alarms for people and for the rule engine. The engine raises, clears and escalates; users list,
// acknowledge, clear and comment. A user sees the alarms of the devices they may read, and needs
// control access to acknowledge or clear. Every change is stored with its history event and then
// published once on the bus ('alarm.changed') for live views.
import { randomUUID } from 'node:crypto';
import { FluxgateError } from '../contract/errors.ts';
import type { Alarm, AlarmEvent, AlarmEventKind, AlarmFilter, AlarmState, NewAlarm } from '../domain/alarm.ts';
import type { NewOutboxRow } from '../domain/notification.ts';
import type { Rule, Severity } from '../domain/rule.ts';
import type { AccessLevel, DeviceAccess } from '../services/access.ts';
import type { Principal } from '../services/auth-service.ts';
import type { EventBus } from '../services/event-bus.ts';
import type { AlarmOutbox, Storage } from '../storage/storage.ts';
import { WriteBatcher } from './write-batcher.ts';

const OPEN: readonly AlarmState[] = ['active', 'acknowledged'];
/** Alarms raised in one transaction at most: big enough for few commits, small enough to keep the event loop free. */
const RAISE_BATCH = 250;

/** Works out, before a change is stored, the notification rows stored with it (NotificationOutbox). */
export interface NotificationPlanner {
  prepare(alarm: Alarm, kind: AlarmEventKind, at: number): Promise<((after: Alarm) => NewOutboxRow[]) | undefined>;
}

export class AlarmService {
  private readonly now: () => number;
  private readonly raises: WriteBatcher<NewAlarm, { alarm: Alarm; created: boolean }>;

  constructor(
    private readonly storage: Storage,
    private readonly access: DeviceAccess,
    private readonly bus: EventBus,
    private readonly options: { now?: () => number; notifications?: NotificationPlanner } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.raises = new WriteBatcher((alarms) => this.raiseBatch(alarms), RAISE_BATCH);
  }

  // ---- the rule engine's side ----

  /** Raises the alarm of (rule, device) unless one is open; returns the open alarm either way. Raises of one moment share a commit. */
  async raise(rule: Pick<Rule, 'id' | 'name'>, deviceId: string, severity: Severity, details: Record<string, unknown>): Promise<Alarm> {
    const at = this.now();
    const { alarm, created } = await this.raises.add({ id: randomUUID(), ruleId: rule.id, ruleName: rule.name, deviceId, severity, raisedAt: at, details });
    if (created) this.publish(alarm, 'raised', at, null, null);
    return alarm;
  }

  /**
   * One transaction for alarms raised together, each with the notification rows its recipients get.
   * Recipients are worked out one alarm after another, with a turn of the event loop every few, so
   * 10,000 alarms of one tick neither start 10,000 concurrent chains of reads nor hold up /health.
   */
  private async raiseBatch(alarms: NewAlarm[]): Promise<Array<{ alarm: Alarm; created: boolean }>> {
    const planner = this.options.notifications;
    const outboxes: Array<AlarmOutbox | undefined> = [];
    if (planner) {
      for (const [i, raised] of alarms.entries()) {
        const open: Alarm = { ...raised, state: 'active', acknowledgedAt: null, acknowledgedBy: null, clearedAt: null, clearedBy: null, updatedAt: raised.raisedAt };
        outboxes.push(await planner.prepare(open, 'raised', raised.raisedAt));
        if (i % 16 === 15) await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return this.storage.raiseAlarms(alarms, outboxes);
  }

  /** The rule's clear condition held: clears the open alarm of (rule, device), if any. */
  async clearByRule(ruleId: string, deviceId: string): Promise<Alarm | undefined> {
    const open = await this.storage.openAlarm(ruleId, deviceId);
    if (!open) return undefined;
    return this.change(open, 'cleared', null, null, { state: 'cleared', clearedAt: this.now(), clearedBy: null });
  }

  async escalate(ruleId: string, deviceId: string, severity: Severity): Promise<Alarm | undefined> {
    const open = await this.storage.openAlarm(ruleId, deviceId);
    if (!open || open.severity === severity) return undefined;
    return this.change(open, 'severity_changed', null, null, { severity }, { from: open.severity, to: severity });
  }

  /** Records what a rule did for an alarm (an action's outcome) in its history, as the rule (no user). */
  async recordAction(alarm: Alarm, details: Record<string, unknown>): Promise<AlarmEvent> {
    const at = this.now();
    const event = await this.storage.addAlarmEvent({ alarmId: alarm.id, deviceId: alarm.deviceId, kind: 'action', at, userId: null, comment: null, details });
    this.publish(alarm, 'action', at, null, null);
    return event;
  }

  // ---- the people's side ----

  async list(principal: Principal, filter: Omit<AlarmFilter, 'visibleTo'>): Promise<{ items: Alarm[]; total: number }> {
    return this.storage.listAlarms({ ...filter, visibleTo: visibleTo(principal) });
  }

  async counts(principal: Principal): Promise<Record<Severity, number>> {
    return this.storage.countOpenAlarms(visibleTo(principal));
  }

  async get(principal: Principal, id: string): Promise<{ alarm: Alarm; events: AlarmEvent[] }> {
    const alarm = await this.require(principal, id, 'read');
    return { alarm, events: await this.storage.alarmEvents(id) };
  }

  async acknowledge(principal: Principal, id: string, comment: string | null): Promise<Alarm> {
    const alarm = await this.require(principal, id, 'control');
    if (alarm.state !== 'active') throw stateConflict(alarm, 'acknowledged');
    const changed = await this.change(alarm, 'acknowledged', principal.userId, comment, { state: 'acknowledged', acknowledgedAt: this.now(), acknowledgedBy: principal.userId }, {}, ['active']);
    if (!changed) throw stateConflict((await this.storage.getAlarm(id)) ?? alarm, 'acknowledged');
    return changed;
  }

  async clear(principal: Principal, id: string, comment: string | null): Promise<Alarm> {
    const alarm = await this.require(principal, id, 'control');
    if (alarm.state === 'cleared') throw stateConflict(alarm, 'cleared');
    const changed = await this.change(alarm, 'cleared', principal.userId, comment, { state: 'cleared', clearedAt: this.now(), clearedBy: principal.userId });
    if (!changed) throw stateConflict((await this.storage.getAlarm(id)) ?? alarm, 'cleared');
    return changed;
  }

  /** Anyone who may read the device may comment. */
  async comment(principal: Principal, id: string, text: string): Promise<AlarmEvent> {
    const alarm = await this.require(principal, id, 'read');
    const at = this.now();
    const event = await this.storage.addAlarmEvent({ alarmId: id, deviceId: alarm.deviceId, kind: 'comment', at, userId: principal.userId, comment: text, details: {} });
    this.publish(alarm, 'comment', at, principal.userId, text);
    return event;
  }

  /** Clears every open alarm of a rule (the rule was deleted or disabled): by a user, or null for the platform. */
  async clearAllOf(ruleId: string, by: string | null, comment: string): Promise<void> {
    const { items } = await this.storage.listAlarms({ ruleId, states: OPEN, limit: 100_000, offset: 0 });
    for (const alarm of items) await this.change(alarm, 'cleared', by, comment, { state: 'cleared', clearedAt: this.now(), clearedBy: by });
  }

  /** Stores a change of `current` (if its state is still one of `from`) with its event and notifications. */
  private async change(
    current: Alarm,
    kind: AlarmEventKind,
    userId: string | null,
    comment: string | null,
    set: Parameters<Storage['transitionAlarm']>[1]['set'],
    details: Record<string, unknown> = {},
    from: readonly AlarmState[] = OPEN,
  ): Promise<Alarm | undefined> {
    const at = this.now();
    const outbox = await this.options.notifications?.prepare({ ...current, severity: set.severity ?? current.severity }, kind, at);
    const alarm = await this.storage.transitionAlarm(current.id, { from, set, event: { kind, at, userId, comment, details }, outbox });
    if (alarm) this.publish(alarm, kind, at, userId, comment);
    return alarm;
  }

  private publish(alarm: Alarm, kind: AlarmEventKind, at: number, userId: string | null, comment: string | null): void {
    this.bus.emit('alarm.changed', { alarm, kind, at, userId, comment });
  }

  /** The alarm when `principal` may act on its device at `level`: 404 when they cannot read it, 403 when read is all they hold. */
  private async require(principal: Principal, id: string, level: AccessLevel): Promise<Alarm> {
    const alarm = await this.storage.getAlarm(id);
    if (!alarm) throw notFound(id);
    try {
      await this.access.require(principal, alarm.deviceId, level);
    } catch (err) {
      if (err instanceof FluxgateError && err.code === 'DEVICE_NOT_FOUND') throw notFound(id);
      if (err instanceof FluxgateError && err.code === 'FORBIDDEN') {
        throw new FluxgateError('FORBIDDEN', `Acknowledging or clearing an alarm needs control access to device ${alarm.deviceId}; yours is read-only`, err.details);
      }
      throw err;
    }
    return alarm;
  }
}

/** Whose devices' alarms a principal sees: undefined for admins (every device). */
const visibleTo = (principal: Principal) => (principal.role === 'admin' ? undefined : principal.userId);

const notFound = (id: string) => new FluxgateError('ALARM_NOT_FOUND', `Alarm ${id} not found`);

const stateConflict = (alarm: Alarm, wanted: string) =>
  new FluxgateError('ALARM_STATE_CONFLICT', `Alarm ${alarm.id} is ${alarm.state}; it cannot be ${wanted}`, { state: alarm.state });

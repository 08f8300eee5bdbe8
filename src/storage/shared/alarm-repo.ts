// Alarms and their history, written once with Kysely for both adapters (RelationalRepo extends this).
// One open alarm per (rule, device) is the partial unique index alarms_open; raising inserts with
// ON CONFLICT DO NOTHING, so concurrent raises (or two nodes) leave exactly one.
import type { Alarm, AlarmEvent, AlarmFilter, AlarmState, AlarmTransition, NewAlarm, NewAlarmEvent } from '../../domain/alarm.ts';
import { SEVERITIES, type Severity } from '../../domain/rule.ts';
import type { Transaction, SelectQueryBuilder } from 'kysely';
import type { NewOutboxRow } from '../../domain/notification.ts';
import { outboxValues } from './outbox-rows.ts';
import { RuleRepo } from './rule-repo.ts';
import type { AlarmOutbox } from '../storage.ts';
import type { AlarmEventsTable, AlarmsTable, Database } from './schema.ts';

const num = (v: number | null) => (v === null ? null : Number(v));

function toAlarm(row: AlarmsTable): Alarm {
  return {
    id: row.id,
    ruleId: row.rule_id,
    ruleName: row.rule_name,
    deviceId: row.device_id,
    severity: row.severity as Severity,
    state: row.state as AlarmState,
    raisedAt: Number(row.raised_at),
    acknowledgedAt: num(row.acknowledged_at),
    acknowledgedBy: row.acknowledged_by,
    clearedAt: num(row.cleared_at),
    clearedBy: row.cleared_by,
    details: JSON.parse(row.details) as Record<string, unknown>,
    updatedAt: Number(row.updated_at),
  };
}

function toEvent(row: Omit<AlarmEventsTable, 'id'> & { id: number }): AlarmEvent {
  return {
    id: Number(row.id),
    alarmId: row.alarm_id,
    deviceId: row.device_id,
    kind: row.kind as AlarmEvent['kind'],
    at: Number(row.at),
    userId: row.user_id,
    comment: row.comment,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

const eventRow = (e: NewAlarmEvent) => ({
  alarm_id: e.alarmId,
  device_id: e.deviceId,
  kind: e.kind,
  at: e.at,
  user_id: e.userId,
  comment: e.comment,
  details: JSON.stringify(e.details),
});

/** Alarms of devices `userId` owns or that are shared with them. */
function visibleTo<Q extends SelectQueryBuilder<Database, 'alarms', object>>(query: Q, userId: string): Q {
  return query.where((eb) =>
    eb.or([
      eb('alarms.device_id', 'in', eb.selectFrom('devices').select('devices.id').where('devices.owner_id', '=', userId)),
      eb('alarms.device_id', 'in', eb.selectFrom('device_access').select('device_access.device_id').where('device_access.user_id', '=', userId)),
    ]),
  ) as Q;
}

/** The notifications of an alarm change, in the change's transaction (a key already stored is skipped). */
async function writeOutbox(trx: Transaction<Database>, rows: readonly NewOutboxRow[] | undefined): Promise<void> {
  if (!rows?.length) return;
  await trx.insertInto('notifications_outbox').values(outboxValues(rows)).onConflict((oc) => oc.column('idempotency_key').doNothing()).execute();
}

const byPair = (a: AlarmsTable, b: AlarmsTable) => (a.rule_id === b.rule_id ? (a.device_id < b.device_id ? -1 : a.device_id > b.device_id ? 1 : 0) : a.rule_id < b.rule_id ? -1 : 1);

export class AlarmRepo extends RuleRepo {
  /**
   * Raises an alarm unless one is open for its (rule, device): `created` says which happened. The
   * rows `outbox` gives for the new alarm are stored in the same transaction.
   */
  async raiseAlarm(alarm: NewAlarm, outbox?: AlarmOutbox): Promise<{ alarm: Alarm; created: boolean }> {
    return (await this.raiseAlarms([alarm], [outbox]))[0]!;
  }

  /**
   * Raises many in one transaction (one commit, not one per alarm), each unless one is open for its
   * (rule, device), with its outbox rows; answers in the order given. Inserted in (rule, device) order,
   * so two nodes raising overlapping sets wait on each other's rows instead of deadlocking.
   */
  async raiseAlarms(alarms: readonly NewAlarm[], outboxes: ReadonlyArray<AlarmOutbox | undefined> = []): Promise<Array<{ alarm: Alarm; created: boolean }>> {
    const rows = alarms.map((alarm): AlarmsTable => ({
      id: alarm.id,
      rule_id: alarm.ruleId,
      rule_name: alarm.ruleName,
      device_id: alarm.deviceId,
      severity: alarm.severity,
      state: 'active',
      raised_at: alarm.raisedAt,
      acknowledged_at: null,
      acknowledged_by: null,
      cleared_at: null,
      cleared_by: null,
      details: JSON.stringify(alarm.details),
      updated_at: alarm.raisedAt,
    }));
    const order = rows.map((_, i) => i).sort((x, y) => byPair(rows[x]!, rows[y]!));
    const created = new Array<boolean>(rows.length).fill(false);
    await this.kysely.transaction().execute(async (trx) => {
      for (const i of order) {
        const row = rows[i]!;
        const result = await trx.insertInto('alarms').values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst();
        if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) continue;
        created[i] = true;
        const event = { alarmId: row.id, deviceId: row.device_id, kind: 'raised' as const, at: Number(row.raised_at), userId: null, comment: null, details: { severity: row.severity } };
        await trx.insertInto('alarm_events').values(eventRow(event)).execute();
        await writeOutbox(trx, outboxes[i]?.(toAlarm(row)));
      }
    });
    const out: Array<{ alarm: Alarm; created: boolean }> = [];
    for (const [i, row] of rows.entries()) {
      if (created[i]) {
        out.push({ alarm: toAlarm(row), created: true });
        continue;
      }
      const open = await this.openAlarm(row.rule_id, row.device_id);
      if (!open) throw new Error(`alarm of rule ${row.rule_id} on ${row.device_id} was neither inserted nor open`);
      out.push({ alarm: open, created: false });
    }
    return out;
  }

  async openAlarm(ruleId: string, deviceId: string): Promise<Alarm | undefined> {
    const row = await this.kysely
      .selectFrom('alarms')
      .selectAll()
      .where('rule_id', '=', ruleId)
      .where('device_id', '=', deviceId)
      .where('cleared_at', 'is', null)
      .executeTakeFirst();
    return row ? toAlarm(row) : undefined;
  }

  async getAlarm(id: string): Promise<Alarm | undefined> {
    const row = await this.kysely.selectFrom('alarms').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toAlarm(row) : undefined;
  }

  /** Every open alarm (active or acknowledged): what the rule engine restores on start. */
  async openAlarms(): Promise<Alarm[]> {
    return (await this.kysely.selectFrom('alarms').selectAll().where('cleared_at', 'is', null).execute()).map(toAlarm);
  }

  async listAlarms(filter: AlarmFilter): Promise<{ items: Alarm[]; total: number }> {
    let query = this.kysely.selectFrom('alarms');
    if (filter.visibleTo !== undefined) query = visibleTo(query, filter.visibleTo);
    if (filter.deviceId !== undefined) query = query.where('device_id', '=', filter.deviceId);
    if (filter.ruleId !== undefined) query = query.where('rule_id', '=', filter.ruleId);
    if (filter.deviceType !== undefined) {
      const type = filter.deviceType;
      query = query.where('device_id', 'in', (eb) => eb.selectFrom('devices').select('id').where('device_type', '=', type));
    }
    if (filter.severities?.length) query = query.where('severity', 'in', [...filter.severities]);
    if (filter.states?.length) query = query.where('state', 'in', [...filter.states]);
    if (filter.from !== undefined) query = query.where('raised_at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('raised_at', '<', filter.to);
    const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await query.selectAll().orderBy('raised_at', 'desc').orderBy('id').limit(filter.limit).offset(filter.offset).execute();
    return { items: rows.map(toAlarm), total: Number(total.n) };
  }

  /** Open alarms per severity, over the devices `visibleToUser` may see, or all. */
  async countOpenAlarms(visibleToUser?: string): Promise<Record<Severity, number>> {
    const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    let query = this.kysely.selectFrom('alarms').select(['severity', (eb) => eb.fn.countAll<number>().as('n')]).where('cleared_at', 'is', null);
    if (visibleToUser !== undefined) query = visibleTo(query, visibleToUser);
    for (const row of await query.groupBy('severity').execute()) counts[row.severity as Severity] = Number(row.n);
    return counts;
  }

  /** Applies `change` while the alarm's state is one of `change.from`, with its event and notifications; the alarm after, else undefined. */
  async transitionAlarm(id: string, change: AlarmTransition): Promise<Alarm | undefined> {
    return this.kysely.transaction().execute(async (trx) => {
      const set: Partial<AlarmsTable> = { updated_at: change.event.at };
      if (change.set.state !== undefined) set.state = change.set.state;
      if (change.set.severity !== undefined) set.severity = change.set.severity;
      if (change.set.acknowledgedAt !== undefined) set.acknowledged_at = change.set.acknowledgedAt;
      if (change.set.acknowledgedBy !== undefined) set.acknowledged_by = change.set.acknowledgedBy;
      if (change.set.clearedAt !== undefined) set.cleared_at = change.set.clearedAt;
      if (change.set.clearedBy !== undefined) set.cleared_by = change.set.clearedBy;
      const result = await trx.updateTable('alarms').set(set).where('id', '=', id).where('state', 'in', [...change.from]).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return undefined;
      const row = await trx.selectFrom('alarms').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      await trx.insertInto('alarm_events').values(eventRow({ ...change.event, alarmId: id, deviceId: row.device_id })).execute();
      const alarm = toAlarm(row);
      await writeOutbox(trx, change.outbox?.(alarm));
      return alarm;
    });
  }

  async addAlarmEvent(event: NewAlarmEvent): Promise<AlarmEvent> {
    const row = await this.kysely.insertInto('alarm_events').values(eventRow(event)).returningAll().executeTakeFirstOrThrow();
    return toEvent(row);
  }

  async alarmEvents(alarmId: string): Promise<AlarmEvent[]> {
    return (await this.kysely.selectFrom('alarm_events').selectAll().where('alarm_id', '=', alarmId).orderBy('id').execute()).map(toEvent);
  }
}

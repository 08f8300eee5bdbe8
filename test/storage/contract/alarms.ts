// Contract: rules and alarms. One open alarm per (rule, device) holds under concurrent raises, also
// from a second handle (another node); transitions apply only from the states they name; lists
// follow the device access rule; deleting a device takes its alarms and their history.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NewAlarm } from '../../../src/domain/alarm.ts';
import type { RuleDefinition } from '../../../src/domain/rule.ts';
import { T0, type OpenStorage, freshDatabase, makeDevice, makeUser, uid } from './fixture.ts';

const definition: RuleDefinition = {
  target: { kind: 'device_type', device_type: 'sensor' },
  condition: { kind: 'compare', field: 't', op: 'gt', value: { from: 'metadata', key: 'limit', default: 30 } },
  for_s: 60,
  clear: { hysteresis: 1, delay_s: 0 },
  severity: 'major',
  escalation: [{ after_s: 600, severity: 'critical' }],
};

const newAlarm = (ruleId: string, deviceId: string, over: Partial<NewAlarm> = {}): NewAlarm => ({
  id: uid('alarm'),
  ruleId,
  ruleName: 'hot',
  deviceId,
  severity: 'major',
  raisedAt: T0,
  details: { values: { t: 31 } },
  ...over,
});

export function alarmContract(open: OpenStorage): void {
  describe('rules and alarms', () => {
    const db = freshDatabase(open);

    it('stores a rule with its definition exactly, lists, updates and deletes it', async () => {
      const owner = await makeUser(db.storage);
      const id = uid('rule');
      const rule = await db.storage.createRule({ id, ownerId: owner.id, name: 'hot', description: '', enabled: true, definition });
      assert.deepStrictEqual(await db.storage.getRule(id), rule);
      assert.deepStrictEqual(rule.definition, definition);
      assert.deepStrictEqual((await db.storage.listRules(owner.id)).map((r) => r.id), [id]);
      const off = await db.storage.updateRule(id, { name: 'hot!', description: 'd', enabled: false, definition: { ...definition, for_s: 5 } });
      assert.deepStrictEqual([off?.name, off?.enabled, off?.definition.for_s], ['hot!', false, 5]);
      assert.strictEqual(await db.storage.deleteRule(id), true);
      assert.strictEqual(await db.storage.getRule(id), undefined);
      assert.strictEqual(await db.storage.updateRule(id, { name: 'x', description: '', enabled: true, definition }), undefined);
    });

    it('raising concurrently (and from a second handle) leaves exactly one open alarm and one raised event', async () => {
      const device = await makeDevice(db.storage);
      const ruleId = uid('rule');
      const other = await db.another();
      // Several nodes share PostgreSQL only: there both handles race. Two SQLite handles in one thread
      // would stall each other in busy waits, so there the second handle (a restarted process) comes after.
      const raceOther = db.storage.kind === 'postgres';
      const results = await Promise.all([
        db.storage.raiseAlarm(newAlarm(ruleId, device.id)),
        db.storage.raiseAlarm(newAlarm(ruleId, device.id)),
        ...(raceOther ? [other.raiseAlarm(newAlarm(ruleId, device.id)), other.raiseAlarm(newAlarm(ruleId, device.id))] : []),
        db.storage.raiseAlarm(newAlarm(ruleId, device.id)),
      ]);
      results.push(await other.raiseAlarm(newAlarm(ruleId, device.id)));
      assert.strictEqual(results.filter((r) => r.created).length, 1);
      const winner = results.find((r) => r.created)!.alarm;
      assert.ok(results.every((r) => r.alarm.id === winner.id));
      assert.deepStrictEqual((await db.storage.openAlarms()).filter((a) => a.ruleId === ruleId).map((a) => a.id), [winner.id]);
      assert.deepStrictEqual((await db.storage.alarmEvents(winner.id)).map((e) => [e.kind, e.userId, e.details]), [['raised', null, { severity: 'major' }]]);
      assert.deepStrictEqual(winner.details, { values: { t: 31 } });
    });

    it('raises many in one call: answers in the order given, a pair already open (or twice in the batch) is not raised again', async () => {
      const devices = [await makeDevice(db.storage), await makeDevice(db.storage), await makeDevice(db.storage)];
      const ruleId = uid('rule');
      const already = await db.storage.raiseAlarm(newAlarm(ruleId, devices[1]!.id));
      const batch = [newAlarm(ruleId, devices[2]!.id), newAlarm(ruleId, devices[1]!.id), newAlarm(ruleId, devices[0]!.id), newAlarm(ruleId, devices[2]!.id)];
      const results = await db.storage.raiseAlarms(batch);
      assert.deepStrictEqual(
        results.map((r) => [r.alarm.deviceId, r.created]),
        [[devices[2]!.id, true], [devices[1]!.id, false], [devices[0]!.id, true], [devices[2]!.id, false]],
      );
      assert.strictEqual(results[1]!.alarm.id, already.alarm.id);
      assert.strictEqual(results[3]!.alarm.id, results[0]!.alarm.id);
      const open = (await db.storage.openAlarms()).filter((a) => a.ruleId === ruleId);
      assert.deepStrictEqual(open.map((a) => a.deviceId).sort(), devices.map((d) => d.id).sort());
      for (const r of [results[0]!, results[2]!]) assert.deepStrictEqual((await db.storage.alarmEvents(r.alarm.id)).map((e) => e.kind), ['raised']);
      assert.deepStrictEqual(await db.storage.raiseAlarms([]), []);
    });

    it('moves active → acknowledged → cleared only from the states named, recording each event; a cleared pair may open again', async () => {
      const user = await makeUser(db.storage);
      const device = await makeDevice(db.storage, { ownerId: user.id });
      const ruleId = uid('rule');
      const { alarm } = await db.storage.raiseAlarm(newAlarm(ruleId, device.id));
      const acked = await db.storage.transitionAlarm(alarm.id, {
        from: ['active'],
        set: { state: 'acknowledged', acknowledgedAt: T0 + 1, acknowledgedBy: user.id },
        event: { kind: 'acknowledged', at: T0 + 1, userId: user.id, comment: 'mine', details: {} },
      });
      assert.deepStrictEqual([acked?.state, acked?.acknowledgedAt, acked?.acknowledgedBy, acked?.updatedAt], ['acknowledged', T0 + 1, user.id, T0 + 1]);
      const again = await db.storage.transitionAlarm(alarm.id, { from: ['active'], set: { state: 'acknowledged' }, event: { kind: 'acknowledged', at: T0 + 2, userId: user.id, comment: null, details: {} } });
      assert.strictEqual(again, undefined, 'not active any more');
      await db.storage.addAlarmEvent({ alarmId: alarm.id, deviceId: device.id, kind: 'comment', at: T0 + 3, userId: user.id, comment: 'note', details: {} });
      const escalated = await db.storage.transitionAlarm(alarm.id, { from: ['active', 'acknowledged'], set: { severity: 'critical' }, event: { kind: 'severity_changed', at: T0 + 4, userId: null, comment: null, details: { from: 'major', to: 'critical' } } });
      assert.strictEqual(escalated?.severity, 'critical');
      const cleared = await db.storage.transitionAlarm(alarm.id, { from: ['active', 'acknowledged'], set: { state: 'cleared', clearedAt: T0 + 5, clearedBy: null }, event: { kind: 'cleared', at: T0 + 5, userId: null, comment: null, details: {} } });
      assert.deepStrictEqual([cleared?.state, cleared?.clearedAt, cleared?.clearedBy], ['cleared', T0 + 5, null]);
      assert.deepStrictEqual((await db.storage.alarmEvents(alarm.id)).map((e) => [e.kind, e.at, e.comment]), [
        ['raised', T0, null],
        ['acknowledged', T0 + 1, 'mine'],
        ['comment', T0 + 3, 'note'],
        ['severity_changed', T0 + 4, null],
        ['cleared', T0 + 5, null],
      ]);
      assert.strictEqual(await db.storage.openAlarm(ruleId, device.id), undefined);
      const reopened = await db.storage.raiseAlarm(newAlarm(ruleId, device.id, { raisedAt: T0 + 10 }));
      assert.strictEqual(reopened.created, true);
    });

    it('lists and counts by what a user may see, with filters; deleting a device takes its alarms', async () => {
      const alice = await makeUser(db.storage);
      const bob = await makeUser(db.storage);
      const mine = await makeDevice(db.storage, { ownerId: alice.id, deviceType: 'meter' });
      const shared = await makeDevice(db.storage, { ownerId: bob.id, deviceType: 'meter' });
      const hidden = await makeDevice(db.storage, { ownerId: bob.id, deviceType: 'meter' });
      await db.storage.grantAccess({ deviceId: shared.id, userId: alice.id, level: 'read', grantedBy: bob.id });
      const ruleId = uid('rule');
      const a1 = (await db.storage.raiseAlarm(newAlarm(ruleId, mine.id, { raisedAt: T0, severity: 'minor' }))).alarm;
      const a2 = (await db.storage.raiseAlarm(newAlarm(ruleId, shared.id, { raisedAt: T0 + 1000, severity: 'critical' }))).alarm;
      const a3 = (await db.storage.raiseAlarm(newAlarm(ruleId, hidden.id, { raisedAt: T0 + 2000, severity: 'critical' }))).alarm;
      const ids = async (filter: Partial<Parameters<typeof db.storage.listAlarms>[0]>) =>
        (await db.storage.listAlarms({ ruleId, limit: 50, offset: 0, ...filter })).items.map((a) => a.id);
      assert.deepStrictEqual(await ids({ visibleTo: alice.id }), [a2.id, a1.id]);
      assert.deepStrictEqual(await ids({}), [a3.id, a2.id, a1.id]);
      assert.deepStrictEqual(await ids({ severities: ['critical'], visibleTo: alice.id }), [a2.id]);
      assert.deepStrictEqual(await ids({ deviceType: 'meter', from: T0 + 500, to: T0 + 1500 }), [a2.id]);
      assert.deepStrictEqual(await ids({ deviceId: mine.id, states: ['active'] }), [a1.id]);
      assert.strictEqual((await db.storage.listAlarms({ ruleId, limit: 1, offset: 1 })).total, 3);
      const counts = await db.storage.countOpenAlarms(alice.id);
      assert.deepStrictEqual([counts.minor >= 1, counts.critical >= 1, counts.info], [true, true, 0]);
      assert.strictEqual(await db.storage.deleteDevice(mine.id), true);
      assert.strictEqual(await db.storage.getAlarm(a1.id), undefined);
      assert.deepStrictEqual(await db.storage.alarmEvents(a1.id), []);
    });
  });
}

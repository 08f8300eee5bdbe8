import { describe, expect, it } from 'vitest';
import type { FieldSpec, Rule } from '../api/types.ts';
import { alarmListPath, alarmReadings, badgeCounts, describeAction, describeActionOutcome, describeCondition, DEFAULT_FILTERS, who } from './alarms.ts';
import { bodyOf, draftOf, EMPTY_DRAFT, formEditable, issuesByPart, parseValue } from './rule-draft.ts';

const celsius = { key: 'temperature', label: 'Temperature', unit: '°C', decimals: 1, kind: 'number', labels: {} } as unknown as FieldSpec;
const specOf = (f: string) => (f === 'temperature' ? celsius : undefined);

const rule = {
  id: 'r1',
  owner_id: 'u1',
  name: 'Too hot',
  description: 'keep me',
  enabled: true,
  target: { kind: 'device', device_id: 'thermo-1' },
  condition: { kind: 'compare', field: 'temperature', op: 'gt', value: 30 },
  for_s: 60,
  clear: { hysteresis: 2, delay_s: 0 },
  severity: 'major',
  escalation: [{ after_s: 600, severity: 'critical' }],
  actions: [
    { kind: 'command', on: 'raise', command: 'turn_off', parameters: {} },
    { kind: 'desired_state', on: 'clear', state: { power_on: true }, device_id: 'plug-2' },
  ],
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
} as Rule;

describe('alarm helpers', () => {
  it('builds the list query from the filters', () => {
    expect(alarmListPath(DEFAULT_FILTERS)).toBe('/api/v1/alarms?state=open&limit=50');
    expect(alarmListPath({ state: 'all', severity: 'critical', deviceId: 'a b', since: '-24h' }, 10, 20)).toBe(
      '/api/v1/alarms?severity=critical&device_id=a+b&from=-24h&limit=10&offset=20',
    );
  });

  it('counts open critical and major alarms for the badge', () => {
    expect(badgeCounts({ info: 4, warning: 3, minor: 2, major: 1, critical: 2 })).toEqual({ urgent: 3, critical: 2, major: 1 });
    expect(badgeCounts(undefined).urgent).toBe(0);
  });

  it('shows the reading with its unit and the rule limit', () => {
    expect(alarmReadings({ details: { values: { temperature: 31.26, humidity: 40 } } }, rule, specOf)).toEqual(['Temperature 31.3 °C (limit > 30.0 °C)', 'humidity 40']);
    expect(alarmReadings({ details: { values: { temperature: 31 } } }, undefined, specOf)).toEqual(['Temperature 31.0 °C']);
    expect(alarmReadings({ details: {} }, rule, specOf)).toEqual([]);
  });

  it('names who changed an alarm only as far as the viewer may know', () => {
    const names = new Map([['u2', 'bob']]);
    expect([who(null, 'u1', names), who('u1', 'u1', names), who('u2', 'u1', names), who('u3', 'u1', names)]).toEqual(['the rule engine', 'you', 'bob', 'another user']);
  });

  it('describes nested conditions and device thresholds', () => {
    const condition = {
      kind: 'any',
      conditions: [
        { kind: 'compare', field: 'temperature', op: 'gte', value: { from: 'metadata', key: 'max', default: 80 } },
        { kind: 'all', conditions: [{ kind: 'offline', for_s: 30 }, { kind: 'no_data', for_s: 60 }] },
      ],
    } as Rule['condition'];
    expect(describeCondition(condition, specOf)).toBe("(Temperature ≥ the device's metadata max (else 80.0 °C)) or ((offline for 30 s) and (no data for 60 s))");
  });
});

describe('rule form draft', () => {
  it('round-trips a rule and keeps the parts the form does not edit', () => {
    const draft = draftOf(rule);
    expect(draft.conditions).toEqual([{ field: 'temperature', op: 'gt', value: '30' }]);
    const body = bodyOf({ ...draft, conditions: [...draft.conditions, { field: 'heating', op: 'eq', value: 'true' }], join: 'any' }, rule);
    expect(body).toMatchObject({
      description: 'keep me',
      escalation: rule.escalation,
      clear: rule.clear,
      target: { kind: 'device', device_id: 'thermo-1' },
      condition: { kind: 'any', conditions: [{ kind: 'compare', field: 'temperature', op: 'gt', value: 30 }, { kind: 'compare', field: 'heating', op: 'eq', value: true }] },
      for_s: 60,
    });
  });

  it('sends a device type target and leaves bad numbers for the server to name', () => {
    const body = bodyOf({ ...EMPTY_DRAFT, name: 'x', targetKind: 'device_type', deviceType: ' thermostat ', forS: 'soon', conditions: [{ field: 't', op: 'gt', value: 'hot' }] });
    expect(body.target).toEqual({ kind: 'device_type', device_type: 'thermostat' });
    expect(body.condition).toEqual({ kind: 'compare', field: 't', op: 'gt', value: 'hot' });
    expect(body.for_s).toBe('soon');
    expect(parseValue('1e3', 'lt')).toBe(1000);
    expect(parseValue('false', 'neq')).toBe(false);
    expect(parseValue('false', 'gt')).toBe('false');
  });

  it('round-trips actions and names them in words', () => {
    const draft = draftOf(rule);
    expect(draft.actions).toEqual([
      { kind: 'command', on: 'raise', name: 'turn_off', value: '{}', deviceId: '' },
      { kind: 'desired_state', on: 'clear', name: 'power_on', value: 'true', deviceId: 'plug-2' },
    ]);
    expect(bodyOf(draft, rule).actions).toEqual(rule.actions);
    const typed = bodyOf({ ...draft, actions: [{ kind: 'command', on: 'raise', name: 'set_power', value: '{"power": 5', deviceId: '' }] });
    expect(typed.actions).toEqual([{ kind: 'command', on: 'raise', command: 'set_power', parameters: '{"power": 5' }]);
    expect(rule.actions.map(describeAction)).toEqual(['send turn_off', 'set power_on = true on plug-2']);
    expect(describeActionOutcome({ action: { kind: 'command', command: 'turn_off', parameters: {} }, device_id: 'p1', result: 'refused', error: { message: 'no' } })).toBe(
      'send turn_off on p1: refused (no)',
    );
    expect(issuesByPart({ issues: [{ field: 'body.actions.1.command', message: 'bad' }] })).toEqual({ 'actions.1': ['actions.1.command: bad'] });
  });

  it('says which rules the form can edit', () => {
    expect(formEditable(rule)).toBe(true);
    expect(formEditable({ ...rule, condition: { kind: 'offline', for_s: 5 } })).toBe(false);
    expect(formEditable({ ...rule, target: { kind: 'devices', device_ids: ['a'] } })).toBe(false);
    expect(formEditable({ ...rule, actions: [{ kind: 'desired_state', on: 'raise', state: { a: 1, b: 2 } }] })).toBe(false);
  });

  it('places server validation issues next to the form part they name', () => {
    const issues = issuesByPart({
      issues: [
        { field: 'body.condition.conditions.1.value', message: 'gt compares numbers' },
        { field: 'body.condition.value', message: 'bad' },
        { field: 'body.name', message: 'must not be empty' },
        { field: 'body.rule.for_s', message: 'too big' },
      ],
    });
    expect(issues).toEqual({
      'condition.1': ['condition.conditions.1.value: gt compares numbers'],
      'condition.0': ['condition.value: bad'],
      name: ['name: must not be empty'],
      for_s: ['for_s: too big'],
    });
    expect(issuesByPart(undefined)).toEqual({});
  });
});

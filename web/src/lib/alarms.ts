// Alarms and rules as the dashboard shows them: severity colours and labels, the list's query,
// the reading that fired an alarm with its unit and limit, and a rule's condition in words.
import type { Alarm, FieldSpec, Rule } from '../api/types.ts';
import { formatReading } from './profile.ts';

export const SEVERITIES = ['critical', 'major', 'minor', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const ALARM_STATES = ['active', 'acknowledged', 'cleared'] as const;

const SEVERITY_LABELS: Record<Severity, string> = { critical: 'Critical', major: 'Major', minor: 'Minor', warning: 'Warning', info: 'Info' };
export const severityLabel = (s: Severity): string => SEVERITY_LABELS[s];

export const OPS = [
  ['gt', '>'],
  ['gte', '≥'],
  ['lt', '<'],
  ['lte', '≤'],
  ['eq', '='],
  ['neq', '≠'],
] as const;
export type Op = (typeof OPS)[number][0];
export const opSymbol = (op: string): string => OPS.find(([o]) => o === op)?.[1] ?? op;

export interface AlarmFilters {
  /** 'open', 'all' or one state. */
  state: string;
  /** '' for every severity. */
  severity: string;
  deviceId: string;
  /** A -24h style offset, '' for any time. */
  since: string;
}

export const DEFAULT_FILTERS: AlarmFilters = { state: 'open', severity: '', deviceId: '', since: '' };

export function alarmListPath(f: AlarmFilters, limit = 50, offset = 0): string {
  const q = new URLSearchParams();
  if (f.state && f.state !== 'all') q.set('state', f.state);
  if (f.severity) q.set('severity', f.severity);
  if (f.deviceId) q.set('device_id', f.deviceId);
  if (f.since) q.set('from', f.since);
  q.set('limit', String(limit));
  if (offset) q.set('offset', String(offset));
  return `/api/v1/alarms?${q.toString()}`;
}

/** The nav badge: open critical and major alarms; the rest only count in the title. */
export function badgeCounts(open: Record<Severity, number> | undefined): { urgent: number; critical: number; major: number } {
  const critical = open?.critical ?? 0;
  const major = open?.major ?? 0;
  return { urgent: critical + major, critical, major };
}

type Condition = Rule['condition'];
type Group = Extract<Condition, { conditions: unknown }>;
export type Leaf = Exclude<Condition, Group>;
const isGroup = (c: Condition): c is Group => 'conditions' in c;

export function leavesOf(condition: Condition): Leaf[] {
  if (isGroup(condition)) return condition.conditions.flatMap((c) => leavesOf(c as Condition));
  return [condition];
}

function limitText(value: unknown, spec: FieldSpec | undefined): string {
  if (typeof value === 'number') return formatReading(value, spec);
  if (value && typeof value === 'object' && 'key' in value) {
    const t = value as { from: string; key: string; default?: number };
    return `the device's ${t.from} ${t.key}${t.default === undefined ? '' : ` (else ${formatReading(t.default, spec)})`}`;
  }
  return formatReading(value, spec);
}

/** One condition in words, with units: "Temperature > 30.0 °C". */
export function describeLeaf(leaf: Leaf, specOf: (field: string) => FieldSpec | undefined = () => undefined): string {
  const name = (field: string) => specOf(field)?.label ?? field;
  switch (leaf.kind) {
    case 'compare':
      return `${name(leaf.field)} ${opSymbol(leaf.op)} ${limitText(leaf.value, specOf(leaf.field))}`;
    case 'range':
      return `${name(leaf.field)} ${leaf.mode} ${limitText(leaf.min, specOf(leaf.field))} – ${limitText(leaf.max, specOf(leaf.field))}`;
    case 'rate':
      return `${name(leaf.field)} changes ${opSymbol(leaf.op)} ${limitText(leaf.value, specOf(leaf.field))} per ${leaf.per} (over ${leaf.window_s} s)`;
    case 'no_data':
      return `no ${leaf.field ? name(leaf.field) : 'data'} for ${leaf.for_s} s`;
    case 'offline':
      return `offline for ${leaf.for_s} s`;
  }
}

export function describeCondition(condition: Condition, specOf?: (field: string) => FieldSpec | undefined): string {
  if (isGroup(condition)) {
    const parts = condition.conditions.map((c) => describeCondition(c as Condition, specOf));
    return parts.length === 1 ? parts[0]! : parts.map((p) => `(${p})`).join(condition.kind === 'all' ? ' and ' : ' or ');
  }
  return describeLeaf(condition, specOf);
}

/**
 * What fired the alarm: each value it carries, with its unit, and the rule's limit for that field
 * when the rule is known to the viewer ("Temperature 31.5 °C (limit > 30.0 °C)").
 */
export function alarmReadings(alarm: Pick<Alarm, 'details'>, rule: Pick<Rule, 'condition'> | undefined, specOf: (field: string) => FieldSpec | undefined): string[] {
  const values = alarm.details.values;
  if (!values || typeof values !== 'object') return [];
  const leaves = rule ? leavesOf(rule.condition) : [];
  return Object.entries(values as Record<string, unknown>).map(([field, value]) => {
    const spec = specOf(field);
    const limits = leaves.filter((l) => 'field' in l && l.field === field && (l.kind === 'compare' || l.kind === 'range'));
    const limit = limits.length ? ` (limit ${limits.map((l) => describeLeaf(l, specOf).slice((spec?.label ?? field).length + 1)).join(', ')})` : '';
    return `${spec?.label ?? field} ${formatReading(value, spec)}${limit}`;
  });
}

export function describeTarget(target: Rule['target']): string {
  if (target.kind === 'device') return `device ${target.device_id}`;
  if (target.kind === 'device_type') return `every ${target.device_type}`;
  return `${target.device_ids.length} devices`;
}

/** A rule action in words: "send turn_off", "set power_on = false" (on another device: "… on plug-2"). */
export function describeAction(action: { kind: string; command?: string; parameters?: Record<string, unknown>; state?: Record<string, unknown>; device_id?: string | undefined }): string {
  const params = action.parameters && Object.keys(action.parameters).length > 0 ? ` ${JSON.stringify(action.parameters)}` : '';
  const what =
    action.kind === 'command'
      ? `send ${action.command ?? ''}${params}`
      : `set ${Object.entries(action.state ?? {})
          .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
          .join(', ')}`;
  return action.device_id ? `${what} on ${action.device_id}` : what;
}

/** What a rule action did, from its alarm-history event: "send turn_off on plug-1: sent", "…: refused (…)". */
export function describeActionOutcome(details: Record<string, unknown>): string {
  const action = (details.action ?? {}) as Parameters<typeof describeAction>[0];
  const error = details.error as { message?: string } | undefined;
  const result = String(details.result ?? '');
  return `${describeAction(action)} on ${String(details.device_id ?? '')}: ${result}${error?.message ? ` (${error.message})` : ''}`;
}

/** Who made a change: you, the rule engine, or (as far as the viewer may know names) another user. */
export function who(userId: string | null, me: string | undefined, names: ReadonlyMap<string, string>): string {
  if (userId === null) return 'the rule engine';
  if (userId === me) return 'you';
  return names.get(userId) ?? 'another user';
}

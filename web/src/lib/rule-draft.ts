// The rule form's state and the rule body it sends. The form edits what most rules need (a device
// or a device type; compare conditions joined by all/any; a duration; a severity); a rule made
// through the API with more (ranges, rates, escalation, its own clear) keeps those parts on save.
// Actions: a command (name and JSON parameters) or one desired-state key, on raise or on clear.
import type { Rule } from '../api/types.ts';
import type { Op, Severity } from './alarms.ts';

export interface ConditionDraft {
  field: string;
  op: Op;
  /** As typed: a number for gt…lte; eq/neq also take true, false or text. */
  value: string;
}

export interface ActionDraft {
  kind: 'command' | 'desired_state';
  on: 'raise' | 'clear';
  /** The command name, or the desired-state key. */
  name: string;
  /** Command: its parameters as JSON text; desired state: the value as typed. */
  value: string;
  /** Blank: the alarm's device. */
  deviceId: string;
}

export const emptyAction = (): ActionDraft => ({ kind: 'command', on: 'raise', name: '', value: '{}', deviceId: '' });

export interface RuleDraft {
  name: string;
  targetKind: 'device' | 'device_type';
  deviceId: string;
  deviceType: string;
  join: 'all' | 'any';
  conditions: ConditionDraft[];
  forS: string;
  severity: Severity;
  enabled: boolean;
  actions: ActionDraft[];
}

export const emptyCondition = (): ConditionDraft => ({ field: '', op: 'gt', value: '' });

export const EMPTY_DRAFT: RuleDraft = {
  name: '',
  targetKind: 'device',
  deviceId: '',
  deviceType: '',
  join: 'all',
  conditions: [emptyCondition()],
  forS: '0',
  severity: 'warning',
  enabled: true,
  actions: [],
};

/** Whether the form can edit this rule's condition and actions without losing parts of them. */
export function formEditable(rule: Pick<Rule, 'condition' | 'target' | 'actions'>): boolean {
  if (rule.target.kind === 'devices') return false;
  if (rule.actions.some((a) => a.kind === 'desired_state' && Object.keys(a.state).length !== 1)) return false;
  const c = rule.condition;
  if (c.kind === 'compare') return true;
  return (c.kind === 'all' || c.kind === 'any') && c.conditions.every((x) => x.kind === 'compare');
}

function valueText(v: unknown): string {
  return typeof v === 'object' ? '' : String(v);
}

export function draftOf(rule: Rule): RuleDraft {
  const c = rule.condition;
  const leaves = c.kind === 'compare' ? [c] : c.kind === 'all' || c.kind === 'any' ? c.conditions : [];
  return {
    name: rule.name,
    targetKind: rule.target.kind === 'device_type' ? 'device_type' : 'device',
    deviceId: rule.target.kind === 'device' ? rule.target.device_id : '',
    deviceType: rule.target.kind === 'device_type' ? rule.target.device_type : '',
    join: c.kind === 'any' ? 'any' : 'all',
    conditions: leaves.flatMap((l) => (l.kind === 'compare' ? [{ field: l.field, op: l.op, value: valueText(l.value) }] : [])),
    forS: String(rule.for_s),
    severity: rule.severity,
    enabled: rule.enabled,
    actions: rule.actions.map((a) => {
      const [key, value] = a.kind === 'desired_state' ? (Object.entries(a.state)[0] ?? ['', '']) : [a.command, a.parameters];
      const text = a.kind === 'command' ? JSON.stringify(value) : typeof value === 'string' ? value : JSON.stringify(value);
      return { kind: a.kind, on: a.on, name: key, value: text, deviceId: a.device_id ?? '' };
    }),
  };
}

/** JSON text as a value when it parses, else the text itself (the server then names what is wrong). */
function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function actionBody(a: ActionDraft): Record<string, unknown> {
  const device = a.deviceId.trim() ? { device_id: a.deviceId.trim() } : {};
  if (a.kind === 'command') return { kind: 'command', on: a.on, command: a.name.trim(), parameters: a.value.trim() === '' ? {} : jsonOrText(a.value), ...device };
  return { kind: 'desired_state', on: a.on, state: { [a.name.trim()]: jsonOrText(a.value.trim()) }, ...device };
}

/** A typed threshold as JSON: numbers stay numbers, so the server's checks apply to them. */
export function parseValue(text: string, op: Op): number | boolean | string {
  const t = text.trim();
  if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  if (op === 'eq' || op === 'neq') {
    if (t === 'true') return true;
    if (t === 'false') return false;
  }
  // Sent as typed: the server names what is wrong with it (e.g. "gt … compare numbers").
  return t;
}

export function bodyOf(draft: RuleDraft, base?: Rule): Record<string, unknown> {
  const leaves = draft.conditions.map((c) => ({ kind: 'compare', field: c.field.trim(), op: c.op, value: parseValue(c.value, c.op) }));
  const forS = draft.forS.trim() === '' ? 0 : Number(draft.forS);
  return {
    name: draft.name,
    ...(base ? { description: base.description, escalation: base.escalation, clear: base.clear } : {}),
    enabled: draft.enabled,
    target: draft.targetKind === 'device' ? { kind: 'device', device_id: draft.deviceId } : { kind: 'device_type', device_type: draft.deviceType.trim() },
    condition: leaves.length === 1 ? leaves[0] : { kind: draft.join, conditions: leaves },
    for_s: Number.isFinite(forS) ? forS : draft.forS,
    severity: draft.severity,
    actions: draft.actions.map(actionBody),
  };
}

/** The server's validation issues by form part: "body.condition.conditions.1.value" → condition 1. */
export function issuesByPart(details: unknown): Record<string, string[]> {
  const issues = (details as { issues?: Array<{ field?: string; message?: string }> } | undefined)?.issues ?? [];
  const out: Record<string, string[]> = {};
  for (const i of issues) {
    const path = (i.field ?? '').replace(/^body\.?/, '').replace(/^rule\./, '');
    const m = /^condition(?:\.conditions\.(\d+))?/.exec(path);
    const a = /^actions\.(\d+)/.exec(path);
    const part = m ? `condition.${m[1] ?? 0}` : a ? `actions.${a[1]}` : path.split('.')[0] || 'rule';
    (out[part] ??= []).push(`${path || 'rule'}: ${i.message ?? 'is not valid'}`);
  }
  return out;
}

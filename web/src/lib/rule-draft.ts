// The rule form's state and the rule body it sends. The form edits what most rules need (a device
// or a device type; compare conditions joined by all/any; a duration; a severity); a rule made
// through the API with more (ranges, rates, escalation, its own clear) keeps those parts on save.
import type { Rule } from '../api/types.ts';
import type { Op, Severity } from './alarms.ts';

export interface ConditionDraft {
  field: string;
  op: Op;
  /** As typed: a number for gt…lte; eq/neq also take true, false or text. */
  value: string;
}

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
};

/** Whether the form can edit this rule's condition without losing parts of it. */
export function formEditable(rule: Pick<Rule, 'condition' | 'target'>): boolean {
  if (rule.target.kind === 'devices') return false;
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
  };
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
  };
}

/** The server's validation issues by form part: "body.condition.conditions.1.value" → condition 1. */
export function issuesByPart(details: unknown): Record<string, string[]> {
  const issues = (details as { issues?: Array<{ field?: string; message?: string }> } | undefined)?.issues ?? [];
  const out: Record<string, string[]> = {};
  for (const i of issues) {
    const path = (i.field ?? '').replace(/^body\.?/, '').replace(/^rule\./, '');
    const m = /^condition(?:\.conditions\.(\d+))?/.exec(path);
    const part = m ? `condition.${m[1] ?? 0}` : path.split('.')[0] || 'rule';
    (out[part] ??= []).push(`${path || 'rule'}: ${i.message ?? 'is not valid'}`);
  }
  return out;
}

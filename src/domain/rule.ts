// Rules: which devices to watch, the condition that raises an alarm, how long it must hold, how the
// alarm clears and escalates. The shape inside a rule's definition is the wire shape (snake_case),
// stored as JSON, so what a user wrote is what is evaluated and shown back.

export const SEVERITIES = ['info', 'warning', 'minor', 'major', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Higher is worse. */
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

/** A limit given by the device itself: a key of its metadata, its config or its desired state. */
export interface ThresholdRef {
  from: 'metadata' | 'config' | 'desired';
  key: string;
  /** Used when the device has no such key; without it the condition is unknown (neither met nor not). */
  default?: number | undefined;
}
export type Threshold = number | ThresholdRef;

export type CompareOp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';

export interface CompareCondition {
  kind: 'compare';
  field: string;
  op: CompareOp;
  /** Numbers (or device thresholds) for ordering; booleans and strings for eq/neq. */
  value: Threshold | boolean | string;
}

export interface RangeCondition {
  kind: 'range';
  field: string;
  mode: 'inside' | 'outside';
  min: Threshold;
  max: Threshold;
}

export interface RateCondition {
  kind: 'rate';
  field: string;
  /** Change per `per` over the last `window_s` seconds of points. */
  window_s: number;
  per: 'second' | 'minute' | 'hour';
  op: 'gt' | 'gte' | 'lt' | 'lte';
  value: Threshold;
}

export interface NoDataCondition {
  kind: 'no_data';
  /** No point of this field (absent: of any field) for `for_s` seconds. */
  field?: string | undefined;
  for_s: number;
}

export interface OfflineCondition {
  kind: 'offline';
  for_s: number;
}

export type LeafCondition = CompareCondition | RangeCondition | RateCondition | NoDataCondition | OfflineCondition;

export interface InnerGroup {
  kind: 'all' | 'any';
  conditions: LeafCondition[];
}

export interface OuterGroup {
  kind: 'all' | 'any';
  conditions: Array<LeafCondition | InnerGroup>;
}

/** A leaf, or AND ('all') / OR ('any') of leaves and groups of leaves (nesting one level). */
export type Condition = LeafCondition | OuterGroup;

export type RuleTarget = { kind: 'device'; device_id: string } | { kind: 'device_type'; device_type: string } | { kind: 'devices'; device_ids: string[] };

export interface EscalationStep {
  /** Seconds after the alarm was raised, while it is still open. */
  after_s: number;
  severity: Severity;
}

/** When an action runs: as the alarm is raised, or as the rule's clear condition clears it. */
export type ActionTrigger = 'raise' | 'clear';

/** Something a rule does to a device, as its owner would: a command, or a patch of desired state. */
export type RuleAction =
  | { kind: 'command'; on: ActionTrigger; command: string; parameters: Record<string, unknown>; device_id?: string | undefined }
  | { kind: 'desired_state'; on: ActionTrigger; state: Record<string, unknown>; device_id?: string | undefined };

/**
 * One step of a rule's notification plan. Step 0 (after_s 0) is told of the alarm's changes as they
 * happen; a later step is told of a raised alarm only if it is still unacknowledged after_s seconds
 * after it was raised: the next set of recipients. Users receive through their own preferences
 * (severities, devices, quiet hours, channels) and only for devices they may read.
 */
export interface NotifyStep {
  after_s: number;
  /** Usernames (or their email addresses) of users. */
  users: string[];
  /** Addresses emailed directly. */
  emails: string[];
}

export interface RuleDefinition {
  target: RuleTarget;
  condition: Condition;
  /** Seconds the condition must hold before the alarm is raised. */
  for_s: number;
  clear: {
    /** Absent: the negation of `condition`, widened by `hysteresis`. */
    condition?: Condition | undefined;
    /** Numeric margin the value must move back past a limit before the alarm clears. */
    hysteresis: number;
    /** Seconds the clear condition must hold before the alarm clears. */
    delay_s: number;
  };
  severity: Severity;
  escalation: EscalationStep[];
  /** Absent in rules saved before actions existed. */
  actions?: RuleAction[] | undefined;
  /** Absent in rules saved before notification plans existed: only the device's users (by their preferences). */
  notify?: NotifyStep[] | undefined;
}

export interface Rule {
  id: string;
  ownerId: string;
  name: string;
  description: string;
  enabled: boolean;
  definition: RuleDefinition;
  createdAt: number;
  updatedAt: number;
}

export type NewRule = Omit<Rule, 'createdAt' | 'updatedAt'>;
export type RulePatch = Pick<Rule, 'name' | 'description' | 'enabled' | 'definition'>;

/** Every leaf of a condition tree. */
export function leavesOf(condition: Condition | InnerGroup): LeafCondition[] {
  if (!isGroup(condition)) return [condition];
  return (condition.conditions as Array<LeafCondition | InnerGroup>).flatMap((c) => leavesOf(c));
}

export function isGroup(condition: Condition | InnerGroup): condition is OuterGroup | InnerGroup {
  return condition.kind === 'all' || condition.kind === 'any';
}

/** Device ids the actions name explicitly (the others act on the alarm's device). */
export const actionDeviceIds = (definition: RuleDefinition): string[] => (definition.actions ?? []).flatMap((a) => (a.device_id === undefined ? [] : [a.device_id]));

/** Device ids named by a target (empty for a device-type target). */
export function targetDeviceIds(target: RuleTarget): string[] {
  if (target.kind === 'device') return [target.device_id];
  if (target.kind === 'devices') return target.device_ids;
  return [];
}

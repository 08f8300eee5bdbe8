// Rules on the wire: /api/v1/rules. A rule watches one device, a list of devices or every device of a
// type; its condition (leaves combined with all/any, nested one level) must hold `for_s` seconds before
// an alarm is raised. Validation messages carry the path of the bad part (e.g. condition.conditions.1.op).
import { z } from 'zod';
import { cleanText, isoTime, jsonObjectInput } from './common.ts';

export const SEVERITY_NAMES = ['info', 'warning', 'minor', 'major', 'critical'] as const;
export const severity = z.enum(SEVERITY_NAMES).describe('info < warning < minor < major < critical');

const deviceId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'device ids are 1-64 characters of A-Z a-z 0-9 . _ -');
const field = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}$/, 'field names are 1-128 characters of A-Z a-z 0-9 _ . : -');
/** Durations: up to 30 days, in seconds. */
const seconds = (what: string) => z.number().min(0).max(30 * 86_400).describe(what);
const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const thresholdRef = z
  .object({
    from: z.enum(['metadata', 'config', 'desired']).describe("Where the device keeps the limit: its metadata, its config or its desired state"),
    key: z.string().min(1).max(128),
    default: finite.optional().describe('Used when the device has no such key; without it the condition is unknown for that device'),
  })
  .strict();
export const threshold = z.union([finite, thresholdRef]).describe('A number, or {from, key, default?} to read the limit from the device');

const compare = z
  .object({
    kind: z.literal('compare'),
    field,
    op: z.enum(['gt', 'gte', 'lt', 'lte', 'eq', 'neq']),
    value: z.union([finite, thresholdRef, z.boolean(), z.string().max(256)]).describe('Numbers (or a device threshold) for gt/gte/lt/lte; any value for eq/neq'),
  })
  .strict()
  .refine((c) => c.op === 'eq' || c.op === 'neq' || typeof c.value === 'number' || typeof c.value === 'object', {
    message: 'gt, gte, lt and lte compare numbers: give a number or a device threshold',
    path: ['value'],
  });

const range = z
  .object({ kind: z.literal('range'), field, mode: z.enum(['inside', 'outside']), min: threshold, max: threshold })
  .strict()
  .refine((c) => typeof c.min !== 'number' || typeof c.max !== 'number' || c.min <= c.max, { message: 'min must not be above max', path: ['min'] });

const rate = z
  .object({
    kind: z.literal('rate'),
    field,
    window_s: z.number().min(1).max(86_400).describe('Seconds of points the change is measured over'),
    per: z.enum(['second', 'minute', 'hour']).default('minute'),
    op: z.enum(['gt', 'gte', 'lt', 'lte']),
    value: threshold,
  })
  .strict();

const noData = z
  .object({
    kind: z.literal('no_data'),
    field: field.optional().describe('Absent: no point of any field'),
    for_s: z.number().min(1).max(30 * 86_400).describe('Seconds without data'),
  })
  .strict();

const offline = z.object({ kind: z.literal('offline'), for_s: seconds('Seconds the device has been offline') }).strict();

const leaves = [compare, range, rate, noData, offline] as const;
const leaf = z.discriminatedUnion('kind', [...leaves]);
const innerGroup = (kind: 'all' | 'any') =>
  z.object({ kind: z.literal(kind), conditions: z.array(leaf).min(1, 'give at least one condition').max(20) }).strict();
const outerGroup = (kind: 'all' | 'any') =>
  z
    .object({
      kind: z.literal(kind),
      conditions: z
        .array(z.discriminatedUnion('kind', [...leaves, innerGroup('all'), innerGroup('any')]))
        .min(1, 'give at least one condition')
        .max(20),
    })
    .strict();

export const condition = z
  .discriminatedUnion('kind', [...leaves, outerGroup('all'), outerGroup('any')])
  .describe('compare, range, rate, no_data, offline; or all (AND) / any (OR) of them, nested one level');

export const ruleTarget = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('device'), device_id: deviceId }).strict(),
    z.object({ kind: z.literal('device_type'), device_type: z.string().min(1).max(64) }).strict(),
    z.object({ kind: z.literal('devices'), device_ids: z.array(deviceId).min(1, 'give at least one device').max(1000) }).strict(),
  ])
  .describe('One device, every device of a type (that the rule owner may read), or a list');

const actionCommon = {
  on: z.enum(['raise', 'clear']).default('raise').describe("raise: as the alarm is raised; clear: as the rule's clear condition clears it"),
  device_id: deviceId.optional().describe("The device to act on; absent: the alarm's device"),
};

export const ruleAction = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('command'),
        command: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'use 1-100 characters of A-Z a-z 0-9 . _ : -').describe('Command name, e.g. set_power'),
        parameters: jsonObjectInput.default({}).describe('Arguments of the command'),
        ...actionCommon,
      })
      .strict(),
    z
      .object({
        kind: z.literal('desired_state'),
        state: jsonObjectInput.refine((s) => Object.keys(s).length > 0, 'give at least one key').describe('Desired-state keys to set (null removes a key)'),
        ...actionCommon,
      })
      .strict(),
  ])
  .describe("Send a command or set desired state as the rule's owner (who needs control access to the device)");

export const notifyStep = z
  .object({
    after_s: z.number().int().min(0).max(30 * 86_400).describe('0: as the alarm changes; more: only if the raised alarm is still unacknowledged this many seconds later'),
    users: z.array(z.string().min(1).max(254)).max(50).default([]).describe('Usernames; each is told through their own notification preferences, for devices they may read'),
    emails: z.array(z.string().email().max(320)).max(50).default([]).describe('Addresses emailed directly'),
  })
  .strict()
  .refine((s) => s.users.length + s.emails.length > 0, { message: 'name at least one user or email address', path: ['users'] });

const escalationStep = z.object({ after_s: z.number().min(1).max(30 * 86_400), severity }).strict();

export const ruleBody = z
  .object({
    name: cleanText(200).pipe(z.string().min(1, 'must not be empty')),
    description: cleanText(1000).default(''),
    enabled: z.boolean().default(true),
    target: ruleTarget,
    condition,
    for_s: seconds('Seconds the condition must hold before the alarm is raised').default(0),
    clear: z
      .object({
        condition: condition.optional().describe('Absent: the negation of condition'),
        hysteresis: z.number().min(0).max(1e12).default(0).describe('How far back past a numeric limit a value must go to clear'),
        delay_s: seconds('Seconds the clear condition must hold before the alarm clears').default(0),
      })
      .strict()
      .default({ hysteresis: 0, delay_s: 0 }),
    severity: severity.default('warning'),
    escalation: z
      .array(escalationStep)
      .max(4)
      .default([])
      .describe('Severity changes while the alarm stays open, e.g. [{"after_s":600,"severity":"critical"}]'),
    actions: z
      .array(ruleAction)
      .max(10)
      .default([])
      .describe('e.g. [{"kind":"command","command":"set_power","parameters":{"on":false}}]; each outcome is recorded in the alarm history'),
    notify: z
      .array(notifyStep)
      .max(5)
      .default([])
      .describe('Who else is told, and when nobody acknowledges, who next: e.g. [{"after_s":0,"users":["ops"]},{"after_s":600,"emails":["oncall@example.com"]}]'),
  })
  .strict()
  .superRefine((rule, ctx) => {
    let previous = { after_s: 0, rank: SEVERITY_NAMES.indexOf(rule.severity) };
    rule.escalation.forEach((step, i) => {
      const rank = SEVERITY_NAMES.indexOf(step.severity);
      if (step.after_s <= previous.after_s) ctx.addIssue({ code: 'custom', message: 'steps must come in increasing after_s', path: ['escalation', i, 'after_s'] });
      if (rank <= previous.rank) ctx.addIssue({ code: 'custom', message: 'each step must raise the severity', path: ['escalation', i, 'severity'] });
      previous = { after_s: step.after_s, rank };
    });
    rule.notify.forEach((step, i) => {
      if (i > 0 && step.after_s <= rule.notify[i - 1]!.after_s) ctx.addIssue({ code: 'custom', message: 'steps must come in increasing after_s', path: ['notify', i, 'after_s'] });
    });
  });
export type RuleBody = z.output<typeof ruleBody>;

export const ruleIdParam = z.object({ id: z.string().min(1).max(64) });

export const ruleView = z.object({
  id: z.string(),
  owner_id: z.string(),
  name: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  target: ruleTarget,
  condition,
  for_s: z.number(),
  clear: z.object({ condition: condition.optional(), hysteresis: z.number(), delay_s: z.number() }),
  severity,
  escalation: z.array(escalationStep),
  actions: z.array(ruleAction),
  notify: z.array(notifyStep),
  created_at: isoTime,
  updated_at: isoTime,
});
export type RuleView = z.output<typeof ruleView>;

export const dryRunBody = z
  .object({
    rule: ruleBody.describe('The rule to try (it is not saved)'),
    hours: z.number().min(0.01).max(168).default(24).describe('How many hours of stored data to replay'),
  })
  .strict();

export const dryRunQuery = z.object({ hours: z.coerce.number().min(0.01).max(168).default(24) });

export const dryRunView = z.object({
  start: isoTime,
  end: isoTime,
  devices: z.array(
    z.object({
      device_id: z.string(),
      points: z.number().int().describe('Points replayed'),
      truncated: z.boolean().describe('True when the replay stopped at the point limit'),
      transitions: z.array(
        z.object({ at: isoTime, event: z.enum(['raised', 'cleared', 'severity_changed']), severity }).describe('When the alarm would have changed'),
      ),
    }),
  ),
});

// Alarms on the wire: /api/v1/alarms. One open alarm per (rule, device); a user sees the alarms of
// the devices they may read and needs control access to acknowledge or clear them.
import { z } from 'zod';
import { cleanText, isoTime, pagination } from './common.ts';
import { SEVERITY_NAMES, severity } from './rules.ts';

export const ALARM_STATE_NAMES = ['active', 'acknowledged', 'cleared'] as const;
const csv = <T extends string>(values: readonly [T, ...T[]], what: string) =>
  z
    .string()
    .max(200)
    .transform((s, ctx) => {
      const parts = s.split(',').map((p) => p.trim()).filter(Boolean);
      const bad = parts.find((p) => !(values as readonly string[]).includes(p));
      if (bad !== undefined) {
        ctx.addIssue({ code: 'custom', message: `unknown ${what} '${bad}'; use ${values.join(', ')}` });
        return z.NEVER;
      }
      return parts as T[];
    })
    .describe(`Comma-separated: ${values.join(', ')}`);

export const alarmListQuery = z.object({
  device_id: z.string().max(64).optional(),
  device_type: z.string().max(64).optional(),
  rule_id: z.string().max(64).optional(),
  severity: csv(SEVERITY_NAMES, 'severity').optional(),
  state: z
    .union([z.literal('open'), csv(ALARM_STATE_NAMES, 'state')])
    .optional()
    .describe('open (active and acknowledged), or comma-separated active, acknowledged, cleared'),
  from: z.string().max(64).optional().describe('Raised at or after: ISO 8601, epoch ms or -24h style offset'),
  to: z.string().max(64).optional().describe('Raised before'),
  ...pagination,
});

export const alarmIdParam = z.object({ id: z.string().min(1).max(64) });

export const alarmActionBody = z
  .object({ comment: cleanText(2000).optional().describe('Recorded with the change') })
  .strict()
  .nullish()
  .describe('Optional: {"comment"}');

export const alarmCommentBody = z.object({ comment: cleanText(2000).pipe(z.string().min(1, 'must not be empty')) }).strict();

export const alarmView = z.object({
  id: z.string(),
  rule_id: z.string(),
  rule_name: z.string(),
  device_id: z.string(),
  severity,
  state: z.enum(ALARM_STATE_NAMES),
  raised_at: isoTime,
  acknowledged_at: isoTime.nullable(),
  acknowledged_by: z.string().nullable(),
  cleared_at: isoTime.nullable(),
  cleared_by: z.string().nullable().describe('The user who cleared it; null when its rule cleared it'),
  details: z.record(z.string(), z.unknown()),
  updated_at: isoTime,
});
export type AlarmView = z.output<typeof alarmView>;

export const alarmEventView = z.object({
  id: z.number().int(),
  kind: z.enum(['raised', 'acknowledged', 'cleared', 'severity_changed', 'comment', 'action']).describe('action: a rule action ran or was refused (details: action, device_id, result, command_id or error)'),
  at: isoTime,
  user_id: z.string().nullable().describe('null: the rule engine'),
  comment: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

export const alarmWithHistory = alarmView.extend({ events: z.array(alarmEventView) });

export const alarmCountsView = z.object({
  open: z.object(Object.fromEntries(SEVERITY_NAMES.map((s) => [s, z.number().int()])) as Record<(typeof SEVERITY_NAMES)[number], z.ZodNumber>),
  total: z.number().int(),
});

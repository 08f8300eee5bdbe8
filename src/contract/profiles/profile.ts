// Device profiles (DESIGN.md "Device profiles"): what a device type *is*. The fields it reports
// (label, unit, kind, expected range, decimals, Home Assistant classes), the controls it takes
// (commands with a parameter schema, desired-state keys with type and range) and its default views.
// The platform validates commands and desired state with it; the dashboard, simulator and
// connectors read the same definition.
import { z } from 'zod';
import { cleanText } from '../http/common.ts';

export const FIELD_KINDS = ['measurement', 'counter', 'boolean', 'enum', 'text'] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

export const PARAM_TYPES = ['number', 'integer', 'boolean', 'enum', 'string'] as const;
export const STATE_CLASSES = ['measurement', 'total', 'total_increasing'] as const;
/** How the dashboard draws a device's controls. */
export const CONTROL_VIEWS = ['thermostat', 'switch', 'lock', 'generic'] as const;

const key = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'use 1-64 characters of A-Z a-z 0-9 _ . : -')
  .describe('Field, parameter or desired-state key as the device sends it');
const deviceType = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9_.-]{1,50}$/, 'use 1-50 characters of a-z 0-9 _ . -')
  .describe('The device_type this profile describes');
const label = cleanText(100).pipe(z.string().min(1, 'must not be empty'));
const unit = cleanText(20).nullable().default(null).describe('Unit shown beside values, e.g. °C, %, kW, kWh');
const bound = z.number().finite().nullable().default(null);

const inRangeOrder = (s: { min: number | null; max: number | null }) => s.min === null || s.max === null || s.min <= s.max;
const orderMessage = { message: 'min must not be above max', path: ['max'] };

/** Days to keep; null inherits (field → profile → the RETENTION_* defaults), 0 keeps forever. */
const keepDays = z.number().int().min(0).max(36_500).nullable().default(null);
export const retentionSpec = z
  .object({
    raw_days: keepDays.describe('Days raw points are kept (dropped a whole day at a time); 0 forever, null inherits'),
    minute_days: keepDays.describe('Days minute rollups are kept after the raw points are gone; 0 forever, null inherits'),
    hour_days: keepDays.describe('Days hourly rollups are kept; 0 forever, null inherits'),
  })
  .describe('Retention of this telemetry');
export type RetentionSpec = z.output<typeof retentionSpec>;
export const NO_RETENTION: RetentionSpec = { raw_days: null, minute_days: null, hour_days: null };

export const fieldSpec = z
  .object({
    key,
    label,
    unit,
    kind: z.enum(FIELD_KINDS),
    min: bound.describe('Lowest expected value; a reading below it is stored but flagged'),
    max: bound.describe('Highest expected value; a reading above it is stored but flagged'),
    decimals: z.number().int().min(0).max(6).nullable().default(null).describe('Digits shown after the point'),
    labels: z
      .record(z.string().max(64), cleanText(50))
      .default({})
      .describe('Display labels of values: {"true":"on","false":"off"} for booleans, value → label for enums'),
    device_class: z.string().max(40).nullable().default(null).describe('Home Assistant device_class'),
    state_class: z.enum(STATE_CLASSES).nullable().default(null).describe('Home Assistant state_class'),
    retention: retentionSpec.default(NO_RETENTION).describe('Retention of this field, over the profile\'s'),
  })
  .refine(inRangeOrder, orderMessage);
export type FieldSpec = z.output<typeof fieldSpec>;

export const paramSpec = z
  .object({
    key,
    label,
    type: z.enum(PARAM_TYPES),
    unit,
    min: bound,
    max: bound,
    values: z.array(z.string().max(64)).max(100).default([]).describe('Allowed values of an enum'),
    required: z.boolean().default(true),
  })
  .refine(inRangeOrder, orderMessage)
  .refine((p) => p.type !== 'enum' || p.values.length > 0, { message: 'an enum needs values', path: ['values'] });
export type ParamSpec = z.output<typeof paramSpec>;

export const commandSpec = z.object({
  name: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'use 1-100 characters of A-Z a-z 0-9 . _ : -'),
  label,
  params: z.array(paramSpec).max(20).default([]),
});
export type CommandSpec = z.output<typeof commandSpec>;

export const viewsSpec = z.object({
  main_fields: z.array(key).max(8).default([]).describe('Fields shown in lists and cards, most important first'),
  charts: z
    .array(z.object({ title: label, fields: z.array(key).min(1).max(8) }))
    .max(12)
    .default([])
    .describe('Charts of the device page; fields of one chart share its axes by unit'),
  control: z.enum(CONTROL_VIEWS).default('generic'),
});

const unique = (keys: readonly string[]) => new Set(keys).size === keys.length;

const profileShape = z.object({
  device_type: deviceType,
  name: label,
  description: cleanText(500).default(''),
  aliases: z.array(deviceType).max(20).default([]).describe('Other device_type values this profile also describes'),
  fields: z.array(fieldSpec).max(200).default([]),
  commands: z.array(commandSpec).max(50).default([]),
  desired: z.array(paramSpec).max(50).default([]).describe('Desired-state keys the device takes, with type and range'),
  open_commands: z.boolean().default(false).describe('Also send commands not listed (generic devices); listed ones are still validated'),
  views: viewsSpec.default({ main_fields: [], charts: [], control: 'generic' }),
  retention: retentionSpec.default(NO_RETENTION).describe('Retention of this device type\'s telemetry, over the RETENTION_* defaults'),
});

/** What a user writes to create or replace a profile. */
export const profileDefinition = profileShape.superRefine((p, ctx) => {
  if (!unique(p.fields.map((f) => f.key))) ctx.addIssue({ code: 'custom', message: 'field keys must be unique', path: ['fields'] });
  if (!unique(p.commands.map((c) => c.name))) ctx.addIssue({ code: 'custom', message: 'command names must be unique', path: ['commands'] });
  if (!unique(p.desired.map((d) => d.key))) ctx.addIssue({ code: 'custom', message: 'desired keys must be unique', path: ['desired'] });
  p.commands.forEach((c, i) => {
    if (!unique(c.params.map((x) => x.key))) ctx.addIssue({ code: 'custom', message: 'parameter keys must be unique', path: ['commands', i, 'params'] });
  });
  const known = new Set(p.fields.map((f) => f.key));
  const views = [...p.views.main_fields, ...p.views.charts.flatMap((c) => c.fields)];
  for (const field of views) {
    if (!known.has(field)) ctx.addIssue({ code: 'custom', message: `views name the field "${field}", which is not in fields`, path: ['views'] });
  }
});
export type ProfileDefinition = z.output<typeof profileDefinition>;
export type ProfileDefinitionInput = z.input<typeof profileDefinition>;

/** A profile as the API serves it. */
export const profileView = profileShape.extend({
  id: z.string().describe('The device type for built-ins (thermostat), prf-… for users\' own'),
  builtin: z.boolean(),
  owner_id: z.string().nullable(),
  created_at: z.string().nullable(),
  updated_at: z.string().nullable(),
});
export type Profile = z.output<typeof profileView>;

// User-built dashboards: a named grid of widgets, saved server-side, shareable read-only with other
// users. Each viewer sees only the devices they may read (the sharing rules of devices apply).
import { z } from 'zod';
import { chartRange } from './charts.ts';
import { cleanText } from './common.ts';

export const WIDGET_KINDS = ['value', 'gauge', 'line', 'bar', 'table', 'timeline', 'thermostat', 'chart'] as const;
export type WidgetKind = (typeof WIDGET_KINDS)[number];

/** Columns of the dashboard grid; a widget spans 1–12 of them and 1–4 rows. */
export const GRID_COLUMNS = 12;
export const DASHBOARD_MAX_WIDGETS = 24;

const deviceId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'device ids are 1-64 characters of A-Z a-z 0-9 . _ -');
const fieldKey = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'field names are 1-128 characters of A-Z a-z 0-9 _ . : -');

const widgetShape = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'widget ids are 1-40 characters of A-Z a-z 0-9 _ -'),
  kind: z
    .enum(WIDGET_KINDS)
    .describe('value with unit, gauge, line chart (one y-axis per unit), bar chart (energy per day), latest-values table, state timeline, thermostat, or a saved chart (chart_id)'),
  title: cleanText(100).default(''),
  device_ids: z.array(deviceId).max(50, 'at most 50 devices').default([]).describe('The devices shown; for a saved chart, filled in from its series'),
  fields: z.array(fieldKey).max(8, 'at most 8 fields').default([]).describe('Fields shown; empty: the profile\'s main fields'),
  range: chartRange.default('24h').describe('Time range of charts and timelines'),
  w: z.number().int().min(1).max(GRID_COLUMNS).default(4).describe('Width in grid columns (of 12)'),
  h: z.number().int().min(1).max(4).default(1).describe('Height in grid rows'),
  chart_id: z.string().min(1).max(64).optional().describe('The saved chart a `chart` widget shows (one of the dashboard owner\'s charts, /api/v1/charts)'),
});

export const widget = widgetShape.superRefine((w, ctx) => {
  if (w.kind === 'chart' && !w.chart_id) ctx.addIssue({ code: 'custom', path: ['chart_id'], message: 'a chart widget names the saved chart it shows' });
  if (w.kind !== 'chart' && w.device_ids.length === 0) ctx.addIssue({ code: 'custom', path: ['device_ids'], message: 'give at least one device' });
});
export type Widget = z.output<typeof widget>;

export const dashboardIdParam = z.object({ id: z.string().min(1).max(64) });

export const dashboardBody = z
  .object({
    name: cleanText(200).pipe(z.string().min(1, 'must not be empty')),
    widgets: z.array(widget).max(DASHBOARD_MAX_WIDGETS, `at most ${DASHBOARD_MAX_WIDGETS} widgets`).default([]),
    shared_with: z.array(z.string().min(1).max(100)).max(100).default([]).describe('Users who may view it (read-only), by id or username; stored and shown as ids'),
  })
  .refine((d) => new Set(d.widgets.map((w) => w.id)).size === d.widgets.length, { message: 'widget ids must be unique', path: ['widgets'] });

export const dashboardView = z.object({
  id: z.string(),
  name: z.string(),
  owner_id: z.string(),
  widgets: z.array(
    widgetShape.extend({
      device_ids: z.array(z.string()).describe('The devices the viewer may read (possibly none)'),
      hidden_devices: z.number().int().describe('Devices of this widget the viewer may not read (left out of device_ids)'),
      series: z
        .array(z.object({ device_id: z.string(), field: z.string(), label: z.string().nullable() }))
        .optional()
        .describe('A saved chart\'s series the viewer may read; absent on other kinds, and when the chart was deleted'),
    }),
  ),
  shared_with: z.array(z.string()).describe('Only shown to the owner (empty for viewers)'),
  can_edit: z.boolean().describe('The owner (or an admin) may change it; people it is shared with only view'),
  created_at: z.string(),
  updated_at: z.string(),
});
export type DashboardView = z.output<typeof dashboardView>;

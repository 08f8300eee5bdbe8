import { z } from 'zod';
import { cleanText } from './common.ts';

/** Mirrors CHART_RANGES in src/domain/chart.ts (contract imports nothing of ours). */
export const chartRange = z.enum(['15m', '1h', '6h', '24h', '7d', '30d']);

export const chartSeries = z.object({
  device_id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'device ids are 1-64 characters of A-Z a-z 0-9 . _ -'),
  field: z.string().min(1).max(128),
  label: cleanText(100).nullable().optional(),
});

export const chartIdParam = z.object({ id: z.string().min(1).max(64) });

export const createChartBody = z.object({
  name: cleanText(200).pipe(z.string().min(1, 'must not be empty')),
  series: z.array(chartSeries).min(1, 'give at least one series').max(20, 'at most 20 series'),
  time_range: chartRange.default('24h'),
});

export const updateChartBody = createChartBody
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'give name, series or time_range');

export const chartView = z.object({
  id: z.string(),
  name: z.string(),
  owner_id: z.string(),
  series: z.array(z.object({ device_id: z.string(), field: z.string(), label: z.string().nullable() })),
  time_range: chartRange,
  created_at: z.string(),
  updated_at: z.string(),
});

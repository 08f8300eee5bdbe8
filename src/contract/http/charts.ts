import { z } from 'zod';
import { cleanText, singleLineText } from './common.ts';

/** Mirrors CHART_RANGES in src/domain/chart.ts (contract imports nothing of ours). */
export const chartRange = z.enum(['15m', '1h', '6h', '24h', '7d', '30d']);

export const chartSeries = z.object({
  device_id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'device ids are 1-64 characters of A-Z a-z 0-9 . _ -'),
  field: singleLineText(128).pipe(z.string().min(1)),
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

export const seriesQuery = z.object({
  start_time: z.string().max(64).optional().describe('now, -24h style offset, ISO 8601 or epoch ms (default: 24 h before end)'),
  end_time: z.string().max(64).optional(),
  fields: z.string().max(2000).optional().describe('Comma-separated field names (default: every field)'),
  max_points: z.coerce.number().int().min(10).max(10_000).default(1000).describe('Points per field at most: the chart width in pixels'),
  tz: z.string().max(64).default('UTC'),
});

const seriesValue = z.union([z.number(), z.boolean(), z.string(), z.null()]);

export const seriesResponse = z.object({
  device_id: z.string(),
  start_time: z.string(),
  end_time: z.string(),
  mode: z.enum(['raw', 'downsampled', 'aggregated']).describe('raw points, min/max-downsampled raw points, or rollup buckets'),
  window: z.string().nullable().describe('Bucket width when aggregated'),
  fields: z.array(
    z.object({
      field: z.string(),
      kind: z.enum(['number', 'boolean', 'string']),
      ts: z.array(z.number()).describe('Epoch ms (bucket starts when aggregated)'),
      values: z.array(seriesValue).describe('Values; mean per bucket (last for booleans) when aggregated'),
      min: z.array(z.number().nullable()).optional(),
      max: z.array(z.number().nullable()).optional(),
    }),
  ),
});

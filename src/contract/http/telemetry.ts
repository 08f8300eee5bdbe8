import { z } from 'zod';

const fieldValue = z.union([z.number(), z.boolean(), z.string()]);
const timestamp = z.union([z.string(), z.number()]).describe('ISO 8601 or epoch milliseconds; absent means now');
const nestedMessage = z.object({
  data: z.record(z.string(), fieldValue),
  metadata: z.record(z.string(), z.unknown()).optional(),
  timestamp: timestamp.optional(),
});
const flatMessage = z.record(z.string(), z.unknown()).describe('Flat object: number/boolean/string members are fields');

/** Documents the accepted shapes; the ingest pipeline's normaliser does the detailed checking. */
export const telemetryBody = z
  .union([nestedMessage, flatMessage, z.array(z.union([nestedMessage, flatMessage]))])
  .describe('One message or an array of messages, nested (IoTFlow) or flat (IoT Mock Service)');

export const timeRangeQuery = {
  start_time: z.string().max(64).optional().describe('now, -24h style offset, ISO 8601 or epoch ms'),
  end_time: z.string().max(64).optional(),
};

export const historyQuery = z.object({
  ...timeRangeQuery,
  fields: z.string().max(2000).optional().describe('Comma-separated field names'),
  limit: z.coerce.number().int().min(1).max(1e12).default(1000).describe('Capped at QUERY_MAX_LIMIT'),
  cursor: z.string().max(512).optional(),
  order: z.enum(['asc', 'desc']).default('desc'),
});

export const aggregatedQuery = z.object({
  ...timeRangeQuery,
  field: z.string().min(1).max(128),
  aggregation: z.enum(['mean', 'avg', 'min', 'max', 'sum', 'count', 'first', 'last']).default('mean'),
  window: z.string().max(8).default('1h').describe('1m…12h fixed (UTC-aligned), 1d…31d, 1w, 1mo calendar (aligned to tz)'),
  tz: z.string().max(64).default('UTC'),
});

export const exportQuery = z.object({
  ...timeRangeQuery,
  fields: z.string().max(2000).optional(),
  format: z.enum(['csv', 'ndjson']).default('csv'),
});

export const deleteRangeQuery = z.object({
  start_time: z.string().max(64).describe('Required: start of the range to delete'),
  end_time: z.string().max(64).optional(),
});

export const pointView = z.object({
  timestamp: z.string(),
  ts: z.number(),
  field: z.string(),
  value: fieldValue,
  metadata: z.record(z.string(), z.unknown()).optional(),
  out_of_range: z.literal(true).optional().describe("Present when the value lies outside its field's expected range in the device's profile (the reading is still stored)"),
});

export const energyHourlyQuery = z.object({
  device_id: z.string().max(64).optional(),
  date: z.string().max(10).describe('Local date YYYY-MM-DD'),
  tz: z.string().max(64).default('UTC'),
});

export const energyDailyQuery = z.object({
  device_id: z.string().max(64).optional(),
  start: z.string().max(10).describe('First local date YYYY-MM-DD'),
  end: z.string().max(10).describe('Last local date YYYY-MM-DD (inclusive)'),
  tz: z.string().max(64).default('UTC'),
});

import { z } from 'zod';
import { timeRangeQuery } from './telemetry.ts';

export const logLevel = z.enum(['debug', 'info', 'warning', 'error', 'critical']);

const logLine = z.object({
  level: logLevel.default('info').describe('debug, info, warning, error or critical (warn, err, fatal, crit accepted)'),
  message: z.string().describe('Up to 8192 characters; no NUL'),
  timestamp: z.union([z.string(), z.number()]).optional().describe('ISO 8601 or epoch milliseconds; absent means now'),
  source: z.string().optional().describe('Component that logged, up to 128 characters'),
});

/** Documents the accepted shapes; the domain normaliser does the checking (the MQTT bridge shares it). */
export const logBody = z
  .union([logLine, z.array(logLine), z.string()])
  .describe('One line, an array of up to 1000 lines, or a JSON string (an info line)');

export const logQuery = z.object({
  ...timeRangeQuery,
  level: z.string().max(100).optional().describe('Comma-separated levels to include, e.g. warning,error'),
  min_level: logLevel.optional().describe('Include this level and more severe ones'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(512).optional(),
  order: z.enum(['asc', 'desc']).default('desc'),
});

export const logView = z.object({
  id: z.number(),
  timestamp: z.string(),
  ts: z.number(),
  level: logLevel,
  message: z.string(),
  source: z.string().nullable(),
});

export const logPage = z.object({
  device_id: z.string(),
  count: z.number(),
  logs: z.array(logView),
  next_cursor: z.string().nullable(),
});

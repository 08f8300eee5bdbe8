import { z } from 'zod';
import { jsonObjectInput, jsonValueInput } from './common.ts';

const jsonObject = z.record(z.string(), z.unknown());

export const commandStatus = z.enum(['pending', 'delivered', 'acked', 'failed', 'expired']);

export const createCommandBody = z.object({
  command: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'use 1-100 characters of A-Z a-z 0-9 . _ : -')
    .describe('Command name, e.g. set_power or set_target_temperature'),
  parameters: jsonObjectInput.default({}).describe('Arguments of the command'),
  timeout_s: z.coerce.number().int().min(1).max(604_800).optional().describe('Seconds until an unacknowledged command expires'),
});

export const commandView = z.object({
  id: z.string(),
  device_id: z.string(),
  command: z.string(),
  parameters: jsonObject,
  status: commandStatus,
  created_by: z.string().nullable(),
  created_at: z.string(),
  expires_at: z.string(),
  delivered_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  result: z.unknown(),
  error: z.string().nullable(),
});

export const listCommandsQuery = z.object({
  status: commandStatus.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const commandAckBody = z.object({
  status: z.enum(['acked', 'failed']),
  result: jsonValueInput.optional(),
  error: z.string().max(1000).optional(),
});

export const putStateBody = z.object({
  desired: jsonObjectInput.describe('Members to set; a null member removes it'),
});

export const stateView = z.object({
  device_id: z.string(),
  desired: jsonObject,
  reported: jsonObject,
  delta: jsonObject.describe('Desired members the reported state does not match yet'),
  version: z.number(),
  updated_at: z.string().nullable(),
});

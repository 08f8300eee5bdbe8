import { z } from 'zod';
import { cleanText, jsonObjectInput, pagination } from './common.ts';

export const deviceStatus = z.enum(['active', 'inactive', 'maintenance']);
const jsonObject = z.record(z.string(), z.unknown());
const optionalText = (max: number) => cleanText(max).nullable().optional();

export const deviceIdParam = z.object({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'device ids are 1-64 characters of A-Z a-z 0-9 . _ -'),
});

export const createDeviceBody = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'use 1-64 characters of A-Z a-z 0-9 . _ -')
    .optional()
    .describe('Chosen id; generated when absent'),
  name: cleanText(200).pipe(z.string().min(1, 'must not be empty')),
  description: optionalText(2000),
  device_type: cleanText(64).pipe(z.string().min(1)).default('sensor'),
  location: optionalText(200),
  firmware_version: optionalText(64),
  hardware_version: optionalText(64),
  status: deviceStatus.default('active'),
  metadata: jsonObjectInput.default({}),
  config: jsonObjectInput.default({}),
});

export const updateDeviceBody = z
  .object({
    name: cleanText(200).pipe(z.string().min(1)),
    description: optionalText(2000),
    device_type: cleanText(64).pipe(z.string().min(1)),
    location: optionalText(200),
    firmware_version: optionalText(64),
    hardware_version: optionalText(64),
    status: deviceStatus,
    metadata: jsonObjectInput,
    config: jsonObjectInput,
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change');

export const deviceSelfConfigBody = z
  .object({ config: jsonObjectInput, firmware_version: optionalText(64), hardware_version: optionalText(64) })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'give config, firmware_version or hardware_version');

export const listDevicesQuery = z.object({
  type: z.string().max(64).optional(),
  device_type: z.string().max(64).optional(),
  location: z.string().max(200).optional(),
  status: deviceStatus.optional(),
  q: z.string().max(200).optional().describe('Text searched in id, name, description, location and type'),
  search: z.string().max(200).optional(),
  ...pagination,
});

export const deviceView = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  device_type: z.string(),
  location: z.string().nullable(),
  firmware_version: z.string().nullable(),
  hardware_version: z.string().nullable(),
  status: deviceStatus,
  online: z.boolean().describe('Seen within the last OFFLINE_AFTER seconds'),
  metadata: jsonObject,
  config: jsonObject,
  owner_id: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  last_seen: z.string().nullable(),
});

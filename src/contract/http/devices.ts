import { z } from 'zod';
import { cleanText, jsonObjectInput, pagination } from './common.ts';

export const deviceStatus = z.enum(['active', 'inactive', 'maintenance']);
const jsonObject = z.record(z.string(), z.unknown());
const optionalText = (max: number) => cleanText(max).nullable().optional();

export const deviceIdParam = z.object({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'device ids are 1-64 characters of A-Z a-z 0-9 . _ -'),
});

/** The IoT Mock Service's device settings, kept in the device's config under the same names. */
const mockServiceBase = {
  base_power: z.number().min(0).max(1_000_000).optional().describe('IoT Mock Service: base power of the load, kW (stored as config.base_power)'),
  base_voltage: z.number().positive().max(1_000_000).optional().describe('IoT Mock Service: nominal voltage, V (stored as config.base_voltage)'),
};

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
  ...mockServiceBase,
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
    ...mockServiceBase,
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change');

export const deviceSelfConfigBody = z
  .object({ config: jsonObjectInput, firmware_version: optionalText(64), hardware_version: optionalText(64) })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'give config, firmware_version or hardware_version');

/** Mirrors DEVICE_SORTS in src/domain/device.ts (contract imports nothing of ours). */
const deviceSorts = ['name', 'device_type', 'last_seen', 'created_at'] as const;

export const listDevicesQuery = z.object({
  type: z.string().max(64).optional(),
  device_type: z.string().max(64).optional(),
  location: z.string().max(200).optional(),
  status: deviceStatus.optional(),
  q: z
    .string()
    .max(200)
    .optional()
    .describe('Case-insensitive substring of id, name, description, location or type (for pickers: add sort=name)'),
  search: z.string().max(200).optional().describe('Alias of q'),
  online: z
    .enum(['true', 'false'])
    .optional()
    .describe('Only online (true) or offline (false) devices, judged as each device\'s `online` field is (see the operation description)'),
  sort: z.enum(deviceSorts).optional().describe('Order by this column, ties by id; default: created_at, newest first'),
  order: z.enum(['asc', 'desc']).optional().describe('Default asc when sort is given, desc otherwise'),
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
  ...mockServiceBase,
  owner_id: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  last_seen: z.string().nullable(),
});

export const latestValue = z.object({ value: z.union([z.number(), z.boolean(), z.string()]), ts: z.string().describe('ISO 8601 UTC time of the point') });

/** A device as lists show it: the device view plus its latest values. */
export const deviceListItem = deviceView.extend({
  latest: z
    .record(z.string(), latestValue)
    .describe(`Latest values of the profile's main fields (views.main_fields, in that order; fields never sent are absent), or for a device without a profile its newest fields (up to 4, newest first)`),
});

export const deviceSummaryView = z.object({
  total: z.number().int(),
  online: z.number().int(),
  offline: z.number().int(),
  by_status: z.record(z.string(), z.number().int()).describe('Every status, zero included'),
  by_type: z.record(z.string(), z.object({ total: z.number().int(), online: z.number().int() })).describe('Device types in alphabetical order'),
  ingest: z.object({
    points_per_second: z.number().describe('Points stored per second over the last minute, on the node that answers'),
    scope: z.enum(['platform', 'visible_devices']).describe('platform: all devices (admins); visible_devices: the devices the caller owns or has been shared'),
  }),
});

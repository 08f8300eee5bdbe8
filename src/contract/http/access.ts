// Sharing a device: /api/v1/devices/{id}/access and seed 004's /api/v1/mappings aliases.
import { z } from 'zod';

export const shareLevel = z.enum(['read', 'control']).describe("read: see and query; control: also command and set desired state");

export const grantBody = z
  .object({
    user_id: z.string().min(1).max(100).optional(),
    username: z.string().min(1).max(254).optional().describe('Username or email, instead of user_id'),
    level: shareLevel.default('read'),
  })
  .refine((b) => b.user_id !== undefined || b.username !== undefined, { message: 'give user_id or username', path: ['user_id'] });

export const setLevelBody = z.object({ level: shareLevel });

export const grantParams = z.object({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'device ids are 1-64 characters of A-Z a-z 0-9 . _ -'),
  user_id: z.string().min(1).max(100),
});

export const grantView = z.object({
  device_id: z.string(),
  user_id: z.string(),
  username: z.string(),
  level: shareLevel,
  granted_by: z.string().nullable(),
  created_at: z.string(),
});

export const assignBody = z.object({
  user_id: z.string().min(1).max(100),
  device_id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'device ids are 1-64 characters of A-Z a-z 0-9 . _ -'),
  level: shareLevel.default('control'),
});

export const unassignQuery = z.object({
  user_id: z.string().min(1).max(100).optional().describe('The user to unassign; absent: every user the device is shared with'),
});

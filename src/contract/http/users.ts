// /api/v1/users: profile and password of the caller; user management for admins.
import { z } from 'zod';
import { registerBody } from './auth.ts';
import { pagination } from './common.ts';

const username = registerBody.shape.username;
const password = registerBody.shape.password;
const role = z.enum(['admin', 'user']);

export const userIdParam = z.object({ id: z.string().min(1).max(100) });

export const updateMeBody = z
  .object({ username, email: z.email().max(254).nullable() })
  .partial()
  .strict();

export const changePasswordBody = z.object({
  current_password: z.string().min(1).max(256),
  new_password: password,
});

export const createUserBody = z.object({
  username,
  email: z.email().max(254).optional(),
  password,
  role: role.default('user'),
});

export const updateUserBody = z
  .object({ username, email: z.email().max(254).nullable(), role, is_active: z.boolean(), password })
  .partial()
  .strict();

export const listUsersQuery = z.object({
  q: z.string().max(200).optional().describe('Text in username or email'),
  role: role.optional(),
  ...pagination,
});

export const deleteUserQuery = z.object({
  devices: z.enum(['transfer', 'delete']).optional().describe('Required when the user owns devices: hand them to an admin, or delete them'),
  transfer_to: z.string().min(1).max(100).optional().describe('Admin who receives the devices (default: you)'),
});

export const deleteUserResponse = z.object({
  deleted: z.literal(true),
  devices: z.number(),
  devices_mode: z.enum(['transfer', 'delete', 'none']),
  transfer_to: z.string().optional(),
});

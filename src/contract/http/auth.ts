import { z } from 'zod';
import { cleanText } from './common.ts';

export const registerBody = z.object({
  username: cleanText(64).pipe(z.string().regex(/^[A-Za-z0-9._-]{3,64}$/, 'use 3-64 characters of A-Z a-z 0-9 . _ -')),
  email: z.email().max(254).optional(),
  password: z.string().min(8, 'must be at least 8 characters').max(256),
});

export const loginBody = z.object({
  username: z
    .string()
    .min(1)
    .max(254)
    .refine((s) => !s.includes('\u0000'), 'must not contain NUL characters')
    .describe('Username or email'),
  password: z.string().min(1).max(256),
});

export const userView = z.object({
  id: z.string(),
  user_id: z.string().describe('Same as id (the name IoTFlow uses)'),
  username: z.string(),
  email: z.string().nullable(),
  role: z.enum(['admin', 'user']),
  is_admin: z.boolean(),
  is_active: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
  last_login: z.string().nullable(),
});

/** A user just created: our view, with IoTFlow's `{status, message, user}` wrapper beside it. */
export const createdUserView = userView.extend({
  status: z.literal('success').describe("IoTFlow's wrapper"),
  message: z.string().describe("IoTFlow's wrapper: 'User created successfully'"),
  user: userView.describe('The user again, nested as IoTFlow answers it'),
});

export const loginResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().describe('Seconds until the access token expires'),
  refresh_token: z.string().describe('Opaque; single use: POST /auth/refresh returns a new one'),
  refresh_expires_in: z.number().describe('Seconds until the refresh token expires'),
  user: userView,
});

export const refreshBody = z.object({ refresh_token: z.string().min(1).max(200) });

export const logoutBody = z
  .object({ refresh_token: z.string().min(1).max(200).optional().describe('The session to end; absent: nothing but a 204') })
  .optional();

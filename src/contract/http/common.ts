import { z } from 'zod';

export const errorResponse = z
  .object({
    error: z.object({
      code: z.string().describe('Stable error code from the catalogue (docs/errors.md)'),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .describe('Every error answers with this body');

/** Text without control characters, trimmed, bounded. */
export const cleanText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((s) => !/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(s), 'must not contain control or bidi-override characters');

export const pagination = {
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
};

export const isoTime = z.string().describe('ISO 8601 UTC time');

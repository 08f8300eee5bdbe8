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

/** Largest JSON member (device metadata and config, command parameters, desired state) a body may carry. */
export const MAX_JSON_MEMBER_BYTES = 65_536;

const fitsJson = (v: unknown) => v === undefined || Buffer.byteLength(JSON.stringify(v) ?? '') <= MAX_JSON_MEMBER_BYTES;
const tooBig = `must be at most ${MAX_JSON_MEMBER_BYTES} bytes as JSON`;

/** A JSON object given in a request body: at most MAX_JSON_MEMBER_BYTES once serialised. */
export const jsonObjectInput = z.record(z.string(), z.unknown()).refine(fitsJson, tooBig);

/** Any JSON value given in a request body, bounded like jsonObjectInput. */
export const jsonValueInput = z.unknown().refine(fitsJson, tooBig);

export const pagination = {
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
};

export const isoTime = z.string().describe('ISO 8601 UTC time');

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

// The single-line rule of the text policy (src/domain/text.ts, which the contract may not import):
// every JSON body is already checked against the policy as it is parsed; names, labels and field
// names also refuse tab and line breaks. test/domain/text.test.ts keeps the two in step.
export const SINGLE_LINE_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const singleLineMessage = 'must not contain control or bidi-override characters';

/** One line of text, as sent (not trimmed), bounded. */
export const singleLineText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !SINGLE_LINE_UNSAFE.test(s), singleLineMessage);

/** One line of text, trimmed, bounded. */
export const cleanText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((s) => !SINGLE_LINE_UNSAFE.test(s), singleLineMessage);

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

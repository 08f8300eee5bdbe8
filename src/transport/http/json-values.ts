// What JSON.parse accepts but no stored value may be: numbers that overflow to ±Infinity (1e309),
// and strings the text policy refuses (domain/text.ts: lone surrogates, control and bidi-override
// characters), in values and member names alike. Stored, the first turns into null and a lone
// surrogate into U+FFFD without anyone being told; refused here, the answer names the member.
import { type TextViolation, jsonTextMayBreakPolicy, jsonTextProblem } from '../../domain/text.ts';

/** Cheap pre-check on the raw text: only a long exponent or a very long number can overflow. */
const SUSPECT_NUMBER = /[eE][+-]?\d{3}|\d{300}/;

export type BadJsonValue = TextViolation;

function nonFinite(value: unknown, path: string): BadJsonValue | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { field: path, problem: 'must be a finite number' };
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = nonFinite(value[i], `${path}[${i}]`);
      if (bad) return bad;
    }
    return undefined;
  }
  for (const [key, member] of Object.entries(value)) {
    const bad = nonFinite(member, `${path}.${key.replace(/\p{Surrogate}/gu, '\ufffd')}`);
    if (bad) return bad;
  }
  return undefined;
}

/** The first member of parsed JSON `value` (from `text`) that cannot be stored as sent, if any. */
export function badJsonValue(text: string, value: unknown): BadJsonValue | undefined {
  return (jsonTextMayBreakPolicy(text) ? jsonTextProblem(value, 'body') : undefined) ?? (SUSPECT_NUMBER.test(text) ? nonFinite(value, 'body') : undefined);
}

// What JSON.parse accepts but no stored value may be: numbers that overflow to ±Infinity (1e309),
// and strings the text policy refuses (domain/text.ts: lone surrogates, control and bidi-override
// characters), in values and member names alike. Stored, the first turns into null and a lone
// surrogate into U+FFFD without anyone being told; refused here, the answer names the member.
import { type TextViolation, jsonTextMayBreakPolicy, jsonTextProblem } from '../../domain/text.ts';

/**
 * Whether parsed JSON holds a non-finite number (a number too large for a double parses as
 * Infinity). A walk of the parsed value costs a tenth of a regular expression over the text of a
 * large body; the path is only worked out for a body that has one.
 */
function hasNonFinite(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasNonFinite(value[i])) return true;
    return false;
  }
  for (const key in value) if (hasNonFinite((value as Record<string, unknown>)[key])) return true;
  return false;
}

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
  return (jsonTextMayBreakPolicy(text) ? jsonTextProblem(value, 'body') : undefined) ?? (hasNonFinite(value) ? nonFinite(value, 'body') : undefined);
}

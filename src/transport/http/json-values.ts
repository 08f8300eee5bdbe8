// What JSON.parse accepts but no stored value may be: numbers that overflow to ±Infinity (1e309),
// and strings the text policy refuses (domain/text.ts: lone surrogates, control and bidi-override
// characters), in values and member names alike. Stored, the first turns into null and a lone
// surrogate into U+FFFD without anyone being told; refused here, the answer names the member.
import { type TextViolation, jsonTextMayBreakPolicy, jsonTextProblem } from '../../domain/text.ts';

/** What one walk of parsed JSON found first: nesting deeper than the limit, or a non-finite number. */
export const TOO_DEEP = 1;
export const NON_FINITE = 2;

/**
 * Walks parsed JSON no deeper than `maxDepth` levels of objects and arrays: TOO_DEEP when it nests
 * deeper (the walk stops there, so it cannot overflow the stack), NON_FINITE when it holds a number
 * too large for a double (parsed as Infinity), else 0. A walk of the parsed value costs a tenth of
 * a regular expression over the text of a large body; the path is only worked out for a body that
 * has a problem.
 */
export function walkParsed(value: unknown, maxDepth: number, depth = 0): number {
  if (typeof value === 'number') return Number.isFinite(value) ? 0 : NON_FINITE;
  if (value === null || typeof value !== 'object') return 0;
  if (depth === maxDepth) return TOO_DEEP;
  let found = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const f = walkParsed(value[i], maxDepth, depth + 1);
      if (f === TOO_DEEP) return f;
      found ||= f;
    }
    return found;
  }
  for (const key in value) {
    const f = walkParsed((value as Record<string, unknown>)[key], maxDepth, depth + 1);
    if (f === TOO_DEEP) return f;
    found ||= f;
  }
  return found;
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

/**
 * The first member of parsed JSON `value` (from `text`, nested no deeper than walkParsed allowed)
 * that cannot be stored as sent, if any; `found` is what walkParsed found.
 */
export function badJsonValue(text: string, value: unknown, found: number): BadJsonValue | undefined {
  return (jsonTextMayBreakPolicy(text) ? jsonTextProblem(value, 'body') : undefined) ?? (found === NON_FINITE ? nonFinite(value, 'body') : undefined);
}

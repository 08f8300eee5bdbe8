// What JSON.parse accepts but no stored value may be: numbers that overflow to ±Infinity (1e309)
// and strings with lone UTF-16 surrogates ("\ud800"). Stored, the first turns into null and the
// second into U+FFFD without anyone being told; refused here, the answer names the member.

/** Cheap pre-check on the raw text: only a long exponent, a very long number or a surrogate escape can produce either. */
const SUSPECT = /[eE][+-]?\d{3}|\d{300}|\\u[dD][89a-fA-F]/;

/** An unpaired surrogate: with the u flag a proper pair is one code point and does not match. */
const LONE_SURROGATE = /\p{Surrogate}/u;
const wellFormed = (s: string) => !LONE_SURROGATE.test(s);

export interface BadJsonValue {
  field: string;
  problem: string;
}

function walk(value: unknown, path: string): BadJsonValue | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { field: path, problem: 'must be a finite number' };
  if (typeof value === 'string') return wellFormed(value) ? undefined : { field: path, problem: 'must be well-formed Unicode (no lone surrogates)' };
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = walk(value[i], `${path}[${i}]`);
      if (bad) return bad;
    }
    return undefined;
  }
  for (const [key, member] of Object.entries(value)) {
    const at = `${path}.${wellFormed(key) ? key : key.replace(/\p{Surrogate}/gu, '\ufffd')}`;
    if (!wellFormed(key)) return { field: at, problem: 'name must be well-formed Unicode (no lone surrogates)' };
    const bad = walk(member, at);
    if (bad) return bad;
  }
  return undefined;
}

/** The first member of parsed JSON `value` (from `text`) that cannot be stored as sent, if any. */
export function badJsonValue(text: string, value: unknown): BadJsonValue | undefined {
  return SUSPECT.test(text) ? walk(value, 'body') : undefined;
}

// The write endpoints' `precision` parameter: which unit a line's integer timestamp is in. Fluxgate
// keeps UTC milliseconds, so finer timestamps are truncated toward the past (1.9 ms → 1 ms).
import type { Precision } from '../../contract/http/line-protocol.ts';

/** Digits dropped to reach milliseconds, or the factor that multiplies up to them. */
const TO_MS: Record<Precision, { drop: number } | { times: number }> = {
  ns: { drop: 6 },
  n: { drop: 6 },
  us: { drop: 3 },
  u: { drop: 3 },
  ms: { times: 1 },
  s: { times: 1000 },
  m: { times: 60_000 },
  h: { times: 3_600_000 },
};

/**
 * Epoch milliseconds of a timestamp written as digits in `precision` (string arithmetic: a
 * nanosecond timestamp is beyond a double's exact range). Undefined for a negative one.
 */
export function timestampToMs(digits: string, precision: Precision): number | undefined {
  if (digits.startsWith('-')) return undefined;
  const rule = TO_MS[precision];
  if ('drop' in rule) return digits.length <= rule.drop ? 0 : Number(digits.slice(0, digits.length - rule.drop));
  return Number(digits) * rule.times;
}

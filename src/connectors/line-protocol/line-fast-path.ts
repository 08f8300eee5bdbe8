// The common case of line protocol, parsed straight into points: a device key writing lines without
// tags, escapes, quotes or comments, whose fields are plain decimal numbers (what Telegraf and the
// client libraries send for meters and sensors). Anything else, and any error, returns undefined and
// the request goes through the general parser (line-parser.ts), which also words the error: so this
// path only ever accepts what the general one accepts, with the same points.
import { type NormalizeLimits, type Point, isValidFieldName } from '../../domain/telemetry.ts';
import type { Precision } from '../../contract/http/line-protocol.ts';
import { COMMA, DIGIT_0, DIGIT_9, DOT, EQUALS, MINUS_SIGN, NEWLINE, SPACE, isDecimalChar } from './char-codes.ts';
import { timestampToMs } from './precision.ts';

/** The points of `text` for `deviceId`, or undefined when the body needs the general parser. */
export function fastLinePoints(text: string, deviceId: string, precision: Precision, now: number, limits: NormalizeLimits): Point[] | undefined {
  if (/[\\"#\r\t]/.test(text)) return undefined;
  const points: Point[] = [];
  const validFields = new Set<string>();
  // The previous line's field names in order: most lines repeat them, and a name found again in
  // place is reused instead of cut out and looked up.
  const lastFields: string[] = [];
  const length = text.length;
  let pos = 0;
  while (pos < length) {
    if (text.charCodeAt(pos) === NEWLINE) {
      pos++;
      continue;
    }
    // Measurement: up to the first space; a comma before it means tags.
    const lineStart = pos;
    while (pos < length) {
      const ch = text.charCodeAt(pos);
      if (ch === SPACE) break;
      if (ch === COMMA || ch === NEWLINE) return undefined;
      pos++;
    }
    if (pos === lineStart || pos >= length) return undefined;
    while (text.charCodeAt(pos) === SPACE) pos++;
    const first = points.length;
    // Fields: key=number[,key=number…]
    for (let index = 0; ; index++) {
      const keyStart = pos;
      let field = lastFields[index];
      if (field !== undefined && text.startsWith(field, keyStart) && text.charCodeAt(keyStart + field.length) === EQUALS) {
        pos = keyStart + field.length;
      } else {
        while (pos < length && text.charCodeAt(pos) !== EQUALS) {
          const ch = text.charCodeAt(pos);
          if (ch === COMMA || ch === SPACE || ch === NEWLINE) return undefined;
          pos++;
        }
        if (pos === keyStart || pos >= length) return undefined;
        field = text.slice(keyStart, pos);
        if (!validFields.has(field)) {
          if (!isValidFieldName(field)) return undefined;
          validFields.add(field);
        }
        lastFields[index] = field;
      }
      pos++;
      const valueStart = pos;
      while (pos < length && isDecimalChar(text.charCodeAt(pos))) pos++;
      if (pos === valueStart) return undefined;
      const value = decimalValue(text, valueStart, pos);
      if (!Number.isFinite(value)) return undefined;
      points.push({ deviceId, ts: 0, field, value, meta: null });
      const next = pos < length ? text.charCodeAt(pos) : NEWLINE;
      if (next === COMMA) {
        pos++;
        continue;
      }
      if (next !== SPACE && next !== NEWLINE) return undefined;
      break;
    }
    // Timestamp (digits), or none: the time of the request.
    let ts = now;
    while (pos < length && text.charCodeAt(pos) === SPACE) pos++;
    if (pos < length && text.charCodeAt(pos) !== NEWLINE) {
      const tsStart = pos;
      while (pos < length) {
        const ch = text.charCodeAt(pos);
        if (ch < DIGIT_0 || ch > DIGIT_9) break;
        pos++;
      }
      if (pos === tsStart) return undefined;
      const ms = precision === 'ms' && pos - tsStart <= MAX_EXACT_DIGITS ? digitsValue(text, tsStart, pos) : timestampToMs(text.slice(tsStart, pos), precision);
      if (ms === undefined || ms > now + limits.maxFutureMs) return undefined;
      ts = ms;
      while (pos < length && text.charCodeAt(pos) === SPACE) pos++;
      if (pos < length && text.charCodeAt(pos) !== NEWLINE) return undefined;
    }
    for (let i = first; i < points.length; i++) points[i]!.ts = ts;
    if (points.length > limits.maxPoints) return undefined;
    pos++;
  }
  return points.length > 0 ? points : undefined;
}

/** Decimal digits whose integer value a double always holds exactly (10^15 < 2^53). */
const MAX_EXACT_DIGITS = 15;
const POWERS_OF_TEN = Array.from({ length: MAX_EXACT_DIGITS + 1 }, (_, i) => 10 ** i);

function digitsValue(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (text.charCodeAt(i) - DIGIT_0);
  return n;
}

/**
 * Number(text.slice(from, to)) without the slice for the usual `-?digits[.digits]` of at most 15
 * digits: those digits make an exact integer and dividing it by an exact power of ten rounds once,
 * to the same double Number() gives (Clinger's fast path). Other forms go through Number().
 */
function decimalValue(text: string, from: number, to: number): number {
  let i = from;
  const negative = text.charCodeAt(i) === MINUS_SIGN;
  if (negative) i++;
  let n = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < to; i++) {
    const ch = text.charCodeAt(i);
    if (ch >= DIGIT_0 && ch <= DIGIT_9) {
      n = n * 10 + (ch - DIGIT_0);
      digits++;
      if (fraction >= 0) fraction++;
    } else if (ch === DOT && fraction < 0 && digits > 0) {
      fraction = 0;
    } else {
      return Number(text.slice(from, to));
    }
  }
  if (digits === 0 || digits > MAX_EXACT_DIGITS || fraction === 0) return Number(text.slice(from, to));
  const value = fraction > 0 ? n / POWERS_OF_TEN[fraction]! : n;
  return negative ? -value : value;
}

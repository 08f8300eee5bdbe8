// InfluxDB line protocol, parsed by hand: no npm package that parses it is maintained (the ones
// published are small, years old and lack escapes or unsigned integers), and the grammar is short.
//   measurement[,tag=value…] field=value[,field=value…] [timestamp]
// Escapes: `\,` `\ ` `\=` in names, tag keys/values and field keys; `\"` and `\\` inside string
// field values (which may span lines). `#` starts a comment line; blank lines are skipped.
// The first bad line stops the parse with its 1-based line number, as InfluxDB 2 reports it.
import { BACKSLASH, COMMA, EQUALS, NEWLINE, QUOTE, RETURN, SPACE, isDecimalChar } from './char-codes.ts';

export type LineValue = number | boolean | string;

export interface ParsedLine {
  /** 1-based number of the line the point starts on. */
  line: number;
  measurement: string;
  tags: Array<[string, string]>;
  fields: Array<[string, LineValue]>;
  /** The timestamp's digits as written (in the request's precision), or undefined. */
  timestamp: string | undefined;
}

export class LineSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
    readonly text: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'LineSyntaxError';
  }
}

const INTEGER = /^[-+]?\d+$/;
const UNSIGNED = /^\d+$/;
const TIMESTAMP = /^-?\d+$/;
const TRUE = new Set(['t', 'T', 'true', 'True', 'TRUE']);
const FALSE = new Set(['f', 'F', 'false', 'False', 'FALSE']);

class Cursor {
  pos: number;
  line: number;
  constructor(
    readonly text: string,
    pos: number,
    line: number,
  ) {
    this.pos = pos;
    this.line = line;
  }
}

/** Parses a whole body; throws LineSyntaxError at the first bad line (nothing partial). */
export function parseLineProtocol(text: string): ParsedLine[] {
  const out: ParsedLine[] = [];
  const c = new Cursor(text, 0, 1);
  while (c.pos < text.length) {
    skipBlanks(c);
    const ch = text[c.pos];
    if (ch === undefined) break;
    if (ch === '\n' || ch === '\r') {
      newline(c);
      continue;
    }
    if (ch === '#') {
      skipToNextLine(c);
      continue;
    }
    out.push(parseLine(c));
  }
  return out;
}

function parseLine(c: Cursor): ParsedLine {
  const start = c.pos;
  const line = c.line;
  try {
    const measurement = readName(c, 'measurement', false);
    const tags: Array<[string, string]> = [];
    while (c.text[c.pos] === ',') {
      c.pos++;
      const key = readName(c, 'tag key', true);
      expect(c, '=', `tag ${key} has no value (tag=value)`);
      tags.push([key, readName(c, `value of tag ${key}`, false)]);
    }
    if (c.text[c.pos] !== ' ') fail(c, 'missing fields');
    skipBlanks(c);
    const fields: Array<[string, LineValue]> = [];
    do {
      if (fields.length > 0) c.pos++;
      const key = readName(c, 'field key', true);
      expect(c, '=', `field ${key} has no value (field=value)`);
      fields.push([key, readValue(c, key)]);
    } while (c.text[c.pos] === ',');
    let timestamp: string | undefined;
    skipBlanks(c);
    if (!atLineEnd(c)) {
      const from = c.pos;
      while (!atLineEnd(c) && c.text[c.pos] !== ' ' && c.text[c.pos] !== '\t') c.pos++;
      timestamp = c.text.slice(from, c.pos);
      if (!TIMESTAMP.test(timestamp)) fail(c, `bad timestamp "${timestamp.slice(0, 40)}" (an integer in the request's precision)`);
      skipBlanks(c);
      if (!atLineEnd(c)) fail(c, 'unexpected text after the timestamp');
    }
    if (c.pos < c.text.length) newline(c);
    return { line, measurement, tags, fields, timestamp };
  } catch (err) {
    if (err instanceof LineSyntaxError) {
      const end = c.text.indexOf('\n', start);
      throw new LineSyntaxError(line, err.reason, c.text.slice(start, end < 0 ? undefined : end).slice(0, 200));
    }
    throw err;
  }
}


/** Reads an escaped name up to an unescaped `,` `=`(when `stopAtEquals`) space or line end. */
function readName(c: Cursor, what: string, stopAtEquals: boolean): string {
  const { text } = c;
  const length = text.length;
  let out = '';
  let from = c.pos;
  let pos = c.pos;
  while (pos < length) {
    const ch = text.charCodeAt(pos);
    if (ch === COMMA || ch === SPACE || ch === NEWLINE || ch === RETURN || (stopAtEquals && ch === EQUALS)) break;
    if (ch === BACKSLASH) {
      const next = text.charCodeAt(pos + 1);
      if (next === COMMA || next === SPACE || next === EQUALS || next === BACKSLASH) {
        out += text.slice(from, pos) + text[pos + 1];
        pos += 2;
        from = pos;
        continue;
      }
    }
    pos++;
  }
  c.pos = pos;
  out += text.slice(from, pos);
  if (out === '') fail(c, `missing ${what}`);
  return out;
}

function readValue(c: Cursor, key: string): LineValue {
  const { text } = c;
  if (text.charCodeAt(c.pos) === QUOTE) return readString(c, key);
  const from = c.pos;
  let pos = c.pos;
  const length = text.length;
  while (pos < length) {
    const ch = text.charCodeAt(pos);
    if (ch === COMMA || ch === SPACE || ch === NEWLINE || ch === RETURN) break;
    pos++;
  }
  c.pos = pos;
  const raw = text.slice(from, pos);
  if (raw === '') fail(c, `field ${key} has no value`);
  const last = raw[raw.length - 1];
  if (last === 'i' || last === 'u') {
    const digits = raw.slice(0, -1);
    if (!(last === 'i' ? INTEGER : UNSIGNED).test(digits)) fail(c, `field ${key}: "${raw.slice(0, 40)}" is not a valid ${last === 'i' ? 'integer' : 'unsigned integer'}`);
    const n = Number(digits);
    // Beyond 2^53 a double rounds to another integer that is not safe either: the check is exact.
    if (!Number.isSafeInteger(n)) fail(c, `field ${key}: ${digits.slice(0, 40)} is beyond ±2^53-1, the integers Fluxgate stores exactly`);
    return n;
  }
  if (isDecimalText(raw)) {
    const n = Number(raw);
    if (Number.isNaN(n)) fail(c, `field ${key}: invalid value "${raw.slice(0, 40)}" (strings must be in double quotes)`);
    if (!Number.isFinite(n)) fail(c, `field ${key}: ${raw.slice(0, 40)} is out of range`);
    return n;
  }
  if (TRUE.has(raw)) return true;
  if (FALSE.has(raw)) return false;
  return fail(c, `field ${key}: invalid value "${raw.slice(0, 40)}" (strings must be in double quotes)`);
}

/**
 * Only digits, `.`, `e`/`E` and signs: on such text Number() accepts exactly the FLOAT grammar (and
 * gives NaN otherwise), where on other text it would also take 0x10, 0b1 or Infinity. A scan of the
 * characters is cheaper than the regular expression on every value of a large body.
 */
function isDecimalText(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) if (!isDecimalChar(raw.charCodeAt(i))) return false;
  return true;
}

function readString(c: Cursor, key: string): string {
  const { text } = c;
  c.pos++;
  let out = '';
  let from = c.pos;
  for (;;) {
    const ch = text[c.pos];
    if (ch === undefined) fail(c, `field ${key}: unterminated string`);
    if (ch === '"') break;
    if (ch === '\n') c.line++;
    if (ch === '\\' && (text[c.pos + 1] === '"' || text[c.pos + 1] === '\\')) {
      out += text.slice(from, c.pos) + text[c.pos + 1];
      c.pos += 2;
      from = c.pos;
      continue;
    }
    c.pos++;
  }
  out += text.slice(from, c.pos);
  c.pos++;
  const next = text[c.pos];
  if (next !== undefined && !',\n\r '.includes(next)) fail(c, `field ${key}: unexpected text after the closing quote`);
  return out;
}

function expect(c: Cursor, ch: string, message: string): void {
  if (c.text[c.pos] !== ch) fail(c, message);
  c.pos++;
}

function skipBlanks(c: Cursor): void {
  while (c.text[c.pos] === ' ' || c.text[c.pos] === '\t') c.pos++;
}

function atLineEnd(c: Cursor): boolean {
  const ch = c.text[c.pos];
  return ch === undefined || ch === '\n' || ch === '\r';
}

function newline(c: Cursor): void {
  if (c.text[c.pos] === '\r') c.pos++;
  if (c.text[c.pos] === '\n') c.pos++;
  c.line++;
}

function skipToNextLine(c: Cursor): void {
  const end = c.text.indexOf('\n', c.pos);
  c.pos = end < 0 ? c.text.length : end + 1;
  c.line++;
}

function fail(c: Cursor, reason: string): never {
  throw new LineSyntaxError(c.line, reason, '');
}

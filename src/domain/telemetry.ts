// Telemetry points and the one normaliser that turns every accepted payload shape into points.
// Shapes (DESIGN.md): `{"data":{…},"metadata":{…},"timestamp":…}` (seed 003), a flat object whose
// number/boolean/string members are fields (seed 001), or an array of either.
import { InvalidInputError } from './errors.ts';
import { textProblem } from './text.ts';
import { parseIsoTime } from './time.ts';

export type PointValue = number | boolean | string;

export interface Point {
  deviceId: string;
  /** UTC milliseconds. */
  ts: number;
  field: string;
  value: PointValue;
  /** JSON text of the message's metadata, or null. */
  meta: string | null;
}

export interface NormalizeLimits {
  maxPoints: number;
  maxStringLength: number;
  maxMetadataBytes: number;
  /** How far ahead of the server clock a timestamp may be, in ms. */
  maxFutureMs: number;
}

export const DEFAULT_LIMITS: NormalizeLimits = {
  maxPoints: 10_000,
  maxStringLength: 1024,
  maxMetadataBytes: 4096,
  maxFutureMs: 24 * 3600_000,
};

/** Members of a flat payload that describe the message rather than being fields. */
const RESERVED_KEYS = new Set(['timestamp', 'ts', 'time', 'device_id', 'deviceId', 'metadata']);
const FORBIDDEN_FIELDS = new Set(['__proto__', 'constructor', 'prototype']);
export const FIELD_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}$/;
/** Epoch-ms values below this (1973-03-03) are almost surely seconds sent by mistake. */
const SMALLEST_MS_TIMESTAMP = 1e11;

function fail(path: string, message: string): never {
  throw new InvalidInputError('telemetry', `${path}: ${message}`, path);
}

export function isValidFieldName(name: string): boolean {
  return FIELD_PATTERN.test(name) && !FORBIDDEN_FIELDS.has(name);
}

/** Parses ISO 8601 or epoch milliseconds; `undefined` means now. */
export function parseTimestamp(raw: unknown, now: number, limits: NormalizeLimits, path: string): number {
  if (raw === undefined || raw === null) return now;
  let ms: number;
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) fail(path, 'must be a finite number of epoch milliseconds');
    if (raw >= 0 && raw < SMALLEST_MS_TIMESTAMP) {
      fail(path, `${raw} looks like epoch seconds; send epoch milliseconds or ISO 8601`);
    }
    ms = Math.trunc(raw);
  } else if (typeof raw === 'string') {
    if (raw.length > 64 || !/^\d{4}-\d{2}-\d{2}/.test(raw)) fail(path, 'must be ISO 8601 or epoch milliseconds');
    const parsed = parseIsoTime(raw);
    if (parsed === undefined) fail(path, `"${raw}" is not a valid ISO 8601 time`);
    ms = parsed;
  } else {
    fail(path, 'must be ISO 8601 text or epoch milliseconds');
  }
  if (ms < 0) fail(path, 'is before 1970');
  if (ms > now + limits.maxFutureMs) fail(path, 'is too far in the future');
  return ms;
}

function checkValue(value: unknown, limits: NormalizeLimits, path: string): PointValue {
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) fail(path, 'must be a finite number');
      return value;
    case 'boolean':
      return value;
    case 'string':
      if (value.length > limits.maxStringLength) fail(path, `is longer than ${limits.maxStringLength} characters`);
      {
        // The text policy (NUL, which PostgreSQL text cannot hold, lone surrogates, control and
        // bidi-override characters): refused here, one bad value cannot fail the group commit of
        // everyone else's points.
        const problem = textProblem(value);
        if (problem) fail(path, problem);
      }
      return value;
    default:
      return fail(path, value === null ? 'must not be null' : 'must be a number, boolean or string');
  }
}

function checkMetadata(raw: unknown, limits: NormalizeLimits, path: string): string | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) fail(path, 'must be an object');
  const text = JSON.stringify(raw);
  if (Buffer.byteLength(text) > limits.maxMetadataBytes) fail(path, `is larger than ${limits.maxMetadataBytes} bytes`);
  return text === '{}' ? null : text;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A member's path in the body, for error messages: built only when one is needed. */
function memberPath(message: string, member: string): string {
  return message ? `${message}.${member}` : member;
}

/**
 * One message's points into `out`. `path` is the message's place in the body ('' alone, `[i]` in an
 * array); `validNames` holds field names already checked in this body. The usual members (a finite
 * epoch-ms number, numbers and booleans) are taken inline; anything else goes through the checks that
 * word the error.
 */
function addMessage(msg: unknown, deviceId: string, now: number, limits: NormalizeLimits, path: string, validNames: Set<string>, out: Point[]): void {
  if (!isPlainObject(msg)) fail(path || '(body)', 'must be an object');
  const claimed = msg.device_id ?? msg.deviceId;
  if (claimed !== undefined && claimed !== deviceId) fail(memberPath(path, 'device_id'), 'does not match the device of the credential');
  const rawTs = msg.timestamp ?? msg.ts ?? msg.time;
  const ts =
    typeof rawTs === 'number' && rawTs >= SMALLEST_MS_TIMESTAMP && rawTs <= now + limits.maxFutureMs
      ? Math.trunc(rawTs)
      : parseTimestamp(rawTs, now, limits, memberPath(path, 'timestamp'));
  const meta = msg.metadata === undefined ? null : checkMetadata(msg.metadata, limits, memberPath(path, 'metadata'));
  const nested = msg.data !== undefined;
  if (nested && !isPlainObject(msg.data)) fail(memberPath(path, 'data'), 'must be an object of fields');
  const fields = nested ? (msg.data as Record<string, unknown>) : msg;
  const fieldsPath = nested ? memberPath(path, 'data') : path;
  const before = out.length;
  for (const key of Object.keys(fields)) {
    if (!nested && (RESERVED_KEYS.has(key) || key === 'data')) continue;
    if (!validNames.has(key)) {
      if (!isValidFieldName(key)) fail(memberPath(fieldsPath, key.slice(0, 64)), 'is not a valid field name (letters, digits, _ . : -; at most 128)');
      validNames.add(key);
    }
    const raw = fields[key];
    const value = (typeof raw === 'number' && Number.isFinite(raw)) || typeof raw === 'boolean' ? raw : checkValue(raw, limits, memberPath(fieldsPath, key));
    out.push({ deviceId, ts, field: key, value, meta });
    if (out.length > limits.maxPoints) fail(path || '(body)', `more than ${limits.maxPoints} points in one request`);
  }
  if (out.length === before) fail(nested ? memberPath(path, 'data') : path || '(body)', 'contains no fields');
}

/** Turns a telemetry payload into points, or throws InvalidInputError naming the bad member. Nothing partial. */
export function normalizeTelemetry(
  body: unknown,
  deviceId: string,
  now: number = Date.now(),
  limits: NormalizeLimits = DEFAULT_LIMITS,
): Point[] {
  const out: Point[] = [];
  const validNames = new Set<string>();
  if (Array.isArray(body)) {
    if (body.length === 0) fail('(body)', 'is an empty array');
    if (body.length > limits.maxPoints) fail('(body)', `more than ${limits.maxPoints} messages in one request`);
    for (let i = 0; i < body.length; i++) addMessage(body[i], deviceId, now, limits, `[${i}]`, validNames, out);
  } else {
    addMessage(body, deviceId, now, limits, '', validNames, out);
  }
  return out;
}

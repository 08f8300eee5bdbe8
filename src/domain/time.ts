// Query times, aggregation windows and bucket boundaries. Fixed windows (1m … 12h) are aligned to
// the UTC epoch; calendar windows (Nd, 1w, 1mo) start at local midnight in the query's time zone,
// so a DST day is 23 or 25 hours long, as a person living there would count it.
import { DateTime, IANAZone } from 'luxon';
import { InvalidInputError } from './errors.ts';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

const UNIT_MS: Record<string, number> = { s: 1000, m: MINUTE, h: HOUR, d: DAY, w: 7 * DAY };

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Parses ISO 8601 / RFC 3339 text (`2026-03-29`, `2026-03-29T02:30:00.123+01:00`) to UTC ms, or
 * `undefined` when it is not a real calendar time (`2026-02-30`, `25:00`). A time without an offset
 * is UTC, so the result never depends on the server's time zone.
 */
export function parseIsoTime(text: string): number | undefined {
  const m = ISO_8601.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1, 7).map((x) => Number(x ?? 0));
  const [year, month, day, hour, minute, second] = parts as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const zone = m[8] ?? 'Z';
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const hours = Number(zone.slice(1, 3));
    const minutes = Number(zone.slice(3).replace(':', '') || 0);
    if (hours > 23 || minutes > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number(((m[7] ?? '') + '00').slice(0, 3)));
  return date.getTime() - offsetMinutes * MINUTE;
}

/** Parses `now`, a relative offset like `-24h`/`-30m`/`-7d`, ISO 8601, or epoch milliseconds. */
/** The largest distance from 1970 a JavaScript Date can hold (ECMA-262: ±100,000,000 days). */
const MAX_DATE_MS = 8.64e15;

export function parseQueryTime(raw: string, now: number, name: string): number {
  const ms = parseQueryTimeText(raw, now, name);
  // -999999999w is well-formed but no Date can hold it: refused here, not later as a RangeError.
  if (Math.abs(ms) > MAX_DATE_MS) throw new InvalidInputError('time', `${name}: "${raw.trim().slice(0, 64)}" is outside the range of representable times`, name);
  return ms;
}

function parseQueryTimeText(raw: string, now: number, name: string): number {
  const text = raw.trim();
  if (text === 'now') return now;
  const rel = /^-(\d{1,9})(s|m|h|d|w)$/.exec(text);
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]!]!;
  if (/^\d{1,15}$/.test(text)) return Number(text);
  const ms = text.length <= 64 ? parseIsoTime(text) : undefined;
  if (ms !== undefined) return ms;
  throw new InvalidInputError('time', `${name}: "${text.slice(0, 64)}" is not now, -<n><s|m|h|d|w>, ISO 8601 or epoch ms`, name);
}

// IANAZone.isValidZone builds an Intl.DateTimeFormat per call (tens of µs); zones that passed once
// are remembered. Bounded, since the names come from clients.
const validZones = new Set<string>(['UTC']);

export function checkTimeZone(tz: string): string {
  if (validZones.has(tz)) return tz;
  if (!IANAZone.isValidZone(tz)) throw new InvalidInputError('time', `tz: "${tz.slice(0, 64)}" is not an IANA time zone`, 'tz');
  if (validZones.size < 1000) validZones.add(tz);
  return tz;
}

export type Window =
  | { kind: 'fixed'; ms: number; label: string }
  | { kind: 'calendar'; unit: 'day' | 'week' | 'month'; count: number; label: string };

/** `1m`…`12h` fixed, `1d`…`31d`, `1w`, `1mo` calendar. */
export function parseWindow(raw: string): Window {
  const m = /^(\d{1,3})(m|h|d|w|mo)$/.exec(raw.trim());
  const n = m ? Number(m[1]) : 0;
  if (!m || n < 1) throw new InvalidInputError('validation', `window: "${raw.slice(0, 32)}" is not like 1m, 15m, 1h, 1d, 1w or 1mo`, 'window');
  const unit = m[2]!;
  if (unit === 'm' || unit === 'h') {
    const ms = n * UNIT_MS[unit]!;
    if (ms > 12 * HOUR) throw new InvalidInputError('validation', 'window: fixed windows go up to 12h; use 1d for days', 'window');
    return { kind: 'fixed', ms, label: raw };
  }
  if (unit === 'd') {
    if (n > 31) throw new InvalidInputError('validation', 'window: at most 31d', 'window');
    return { kind: 'calendar', unit: 'day', count: n, label: raw };
  }
  if (n !== 1) throw new InvalidInputError('validation', `window: only 1${unit} is supported`, 'window');
  return { kind: 'calendar', unit: unit === 'w' ? 'week' : 'month', count: 1, label: raw };
}

/**
 * Start of every bucket that overlaps [start, end), followed by the end of the last one.
 * Throws when the range would need more than `maxBuckets` buckets.
 */
export function bucketEdges(start: number, end: number, window: Window, tz: string, maxBuckets = 20_000): number[] {
  const edges: number[] = [];
  const tooMany = () =>
    new InvalidInputError('validation', `window ${window.label} over this range gives more than ${maxBuckets} buckets`, 'window');
  if (window.kind === 'fixed') {
    const first = Math.floor(start / window.ms) * window.ms;
    if ((end - first) / window.ms > maxBuckets) throw tooMany();
    for (let t = first; t < end; t += window.ms) edges.push(t);
    edges.push(edges.length ? edges[edges.length - 1]! + window.ms : first + window.ms);
    return edges;
  }
  const unit = window.unit;
  let cursor = DateTime.fromMillis(start, { zone: tz }).startOf(unit, { useLocaleWeeks: false });
  const step = unit === 'day' ? { days: window.count } : unit === 'week' ? { weeks: 1 } : { months: 1 };
  for (;;) {
    const ms = cursor.toMillis();
    edges.push(ms);
    if (ms >= end) break;
    if (edges.length > maxBuckets) throw tooMany();
    cursor = cursor.plus(step);
  }
  if (edges.length === 1) edges.push(cursor.plus(step).toMillis());
  return edges;
}

/** UTC ms of local midnight starting `date` (YYYY-MM-DD) in `tz`, and of the next midnight. */
export function localDayRange(date: string, tz: string, name = 'date'): { start: number; end: number } {
  const day = DateTime.fromISO(date, { zone: tz });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !day.isValid) {
    throw new InvalidInputError('time', `${name}: "${date.slice(0, 32)}" is not a YYYY-MM-DD date`, name);
  }
  const start = day.startOf('day');
  return { start: start.toMillis(), end: start.plus({ days: 1 }).toMillis() };
}

/** The local calendar date (YYYY-MM-DD) and hour of `ms` in `tz`. */
export function localLabel(ms: number, tz: string, unit: 'hour' | 'day'): string {
  const dt = DateTime.fromMillis(ms, { zone: tz });
  return unit === 'day' ? dt.toFormat('yyyy-MM-dd') : dt.toISO({ suppressMilliseconds: true }) ?? '';
}

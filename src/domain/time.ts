// Query times, aggregation windows and bucket boundaries. Fixed windows (1m … 12h) are aligned to
// the UTC epoch; calendar windows (Nd, 1w, 1mo) start at local midnight in the query's time zone,
// so a DST day is 23 or 25 hours long, as a person living there would count it.
import { DateTime, IANAZone } from 'luxon';
import { InvalidInputError } from './errors.ts';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

const UNIT_MS: Record<string, number> = { s: 1000, m: MINUTE, h: HOUR, d: DAY, w: 7 * DAY };

/** Parses `now`, a relative offset like `-24h`/`-30m`/`-7d`, ISO 8601, or epoch milliseconds. */
export function parseQueryTime(raw: string, now: number, name: string): number {
  const text = raw.trim();
  if (text === 'now') return now;
  const rel = /^-(\d{1,9})(s|m|h|d|w)$/.exec(text);
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]!]!;
  if (/^\d{1,15}$/.test(text)) return Number(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && text.length <= 64) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new InvalidInputError('time', `${name}: "${text.slice(0, 64)}" is not now, -<n><s|m|h|d|w>, ISO 8601 or epoch ms`, name);
}

export function checkTimeZone(tz: string): string {
  if (!IANAZone.isValidZone(tz)) throw new InvalidInputError('time', `tz: "${tz.slice(0, 64)}" is not an IANA time zone`, 'tz');
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

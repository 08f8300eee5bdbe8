// How `fluxgate import` reads one cell or one timestamp: typed the way a person reading the file
// would (42 → number, true → boolean, anything else → text), times in the formats the replaced
// systems' stores export (ISO 8601, PostgreSQL's "2024-05-01 12:00:00+00", epoch numbers).
import { DateTime } from 'luxon';

export type CellValue = number | boolean | string;
export type TimeUnit = 's' | 'ms' | 'us' | 'ns';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const EPOCH = /^[+-]?\d+(\.\d+)?$/;
const PER_MS: Record<TimeUnit, number> = { s: 1 / 1000, ms: 1, us: 1000, ns: 1_000_000 };

/** An empty cell means "no value here" (undefined); the column is left out of that row. */
export function typeCell(raw: string): CellValue | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  if (NUMBER.test(text)) {
    const n = Number(text);
    if (Number.isFinite(n)) return n;
  }
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return raw;
}

/**
 * Epoch milliseconds of a timestamp cell or member, or an error message. Numbers are epoch values
 * in `unit`; text without a zone is read in `zone` (UTC unless --tz says otherwise).
 */
export function parseTime(raw: unknown, unit: TimeUnit, zone: string): number | string {
  if (typeof raw === 'number' || (typeof raw === 'string' && EPOCH.test(raw.trim()))) {
    const ms = Math.trunc(Number(raw) / PER_MS[unit]);
    if (!Number.isFinite(ms)) return `timestamp ${String(raw)} is not a number`;
    if (unit === 'ms' && ms >= 0 && ms < 1e11) return `timestamp ${String(raw)} looks like epoch seconds; add --time-unit s`;
    return ms;
  }
  if (typeof raw !== 'string' || raw.trim() === '') return 'timestamp is missing (every row needs one, or re-running the import would store it again)';
  const text = raw.trim();
  const options = { zone, setZone: true };
  let time = DateTime.fromISO(text, options);
  if (!time.isValid) time = DateTime.fromSQL(text, options);
  if (!time.isValid) time = DateTime.fromRFC2822(text, options);
  if (!time.isValid) return `timestamp "${text.slice(0, 64)}" is not ISO 8601, SQL or epoch time`;
  return time.toMillis();
}

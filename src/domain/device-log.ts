// Device system logs: levels, the entry shape, and the one normaliser every path (HTTP, MQTT)
// runs a device's log payload through. A payload is one line, an array of lines, or plain text.
import { InvalidInputError } from './errors.ts';
import { textProblem } from './text.ts';
import { DEFAULT_LIMITS, parseTimestamp } from './telemetry.ts';

export const LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Stored as a number so "warning and above" is a range; the name is what the API shows. */
export const LOG_SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40, critical: 50 };

export function levelOfSeverity(severity: number): LogLevel {
  return LOG_LEVELS.find((l) => LOG_SEVERITY[l] === severity) ?? 'info';
}

export interface NewLogEntry {
  deviceId: string;
  ts: number;
  level: LogLevel;
  message: string;
  source: string | null;
}

export interface LogEntry extends NewLogEntry {
  /** Increases with insertion; with `ts` it orders entries and keys the cursor. */
  id: number;
}

export interface LogLimits {
  maxLines: number;
  maxMessageLength: number;
  maxSourceLength: number;
  maxFutureMs: number;
}

export const DEFAULT_LOG_LIMITS: LogLimits = {
  maxLines: 1000,
  maxMessageLength: 8192,
  maxSourceLength: 128,
  maxFutureMs: DEFAULT_LIMITS.maxFutureMs,
};

const ALIASES: Record<string, LogLevel> = { warn: 'warning', err: 'error', fatal: 'critical', crit: 'critical' };

function fail(path: string, message: string): never {
  throw new InvalidInputError('validation', `${path}: ${message}`, path);
}

export function parseLevel(raw: unknown, path: string): LogLevel {
  if (raw === undefined || raw === null) return 'info';
  if (typeof raw !== 'string') fail(path, `must be one of ${LOG_LEVELS.join(', ')}`);
  const lower = raw.toLowerCase();
  const level = (LOG_LEVELS as readonly string[]).includes(lower) ? (lower as LogLevel) : ALIASES[lower];
  if (!level) fail(path, `"${raw.slice(0, 32)}" is not one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

function checkText(raw: unknown, path: string, max: number, singleLine: boolean): string {
  if (typeof raw !== 'string') fail(path, 'must be a string');
  const problem = textProblem(raw, { singleLine });
  if (problem) fail(path, problem);
  if (raw.length > max) fail(path, `must be at most ${max} characters`);
  return raw;
}

function normalizeLine(raw: unknown, deviceId: string, now: number, limits: LogLimits, path: string): NewLogEntry {
  if (typeof raw === 'string') {
    const message = checkText(raw, path, limits.maxMessageLength, false);
    if (message.trim() === '') fail(path, 'must not be empty');
    return { deviceId, ts: now, level: 'info', message, source: null };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(path, 'must be an object {level, message, timestamp?, source?}');
  const line = raw as Record<string, unknown>;
  const message = checkText(line.message, `${path}.message`, limits.maxMessageLength, false);
  if (message.trim() === '') fail(`${path}.message`, 'must not be empty');
  const sourceRaw = line.source;
  const source = sourceRaw === undefined || sourceRaw === null ? null : checkText(sourceRaw, `${path}.source`, limits.maxSourceLength, true);
  let ts: number;
  try {
    ts = parseTimestamp(line.timestamp ?? line.ts, now, { ...DEFAULT_LIMITS, maxFutureMs: limits.maxFutureMs }, `${path}.timestamp`);
  } catch (err) {
    if (err instanceof InvalidInputError) fail(`${path}.timestamp`, err.message.replace(/^[^:]*: /, ''));
    throw err;
  }
  return { deviceId, ts, level: parseLevel(line.level, `${path}.level`), message, source };
}

/** Turns a device's log payload into entries, or throws InvalidInputError naming the bad member. */
export function normalizeLogLines(raw: unknown, deviceId: string, now: number, limits: LogLimits = DEFAULT_LOG_LIMITS): NewLogEntry[] {
  if (Array.isArray(raw)) {
    if (raw.length === 0) fail('body', 'send at least one log line');
    if (raw.length > limits.maxLines) fail('body', `at most ${limits.maxLines} log lines per request`);
    return raw.map((line, i) => normalizeLine(line, deviceId, now, limits, `[${i}]`));
  }
  return [normalizeLine(raw, deviceId, now, limits, 'body')];
}

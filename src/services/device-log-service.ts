// Device system logs: devices append lines (HTTP now, the MQTT bridge through the same `append`),
// users with read access query them by time range and level with a keyset cursor.
import { FluxgateError } from '../contract/errors.ts';
import { DEFAULT_LOG_LIMITS, type LogEntry, type LogLevel, type LogLimits, normalizeLogLines } from '../domain/device-log.ts';
import type { LogQuery, Storage } from '../storage/storage.ts';
import type { DeviceAccess } from './access.ts';
import type { Principal } from './auth-service.ts';

export interface LogPageQuery {
  deviceId: string;
  start: number;
  end: number;
  levels?: readonly LogLevel[] | undefined;
  minLevel?: LogLevel | undefined;
  order: 'asc' | 'desc';
  limit: number;
  cursor?: string | undefined;
}

export function encodeLogCursor(e: Pick<LogEntry, 'ts' | 'id'>): string {
  return Buffer.from(JSON.stringify([e.ts, e.id])).toString('base64url');
}

export function decodeLogCursor(cursor: string): { ts: number; id: number } {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && Number.isSafeInteger(v[0]) && Number.isSafeInteger(v[1])) return { ts: v[0] as number, id: v[1] as number };
  } catch {
    // fall through to the error below
  }
  throw new FluxgateError('INVALID_CURSOR', 'cursor: not a cursor this endpoint returned');
}

export class DeviceLogService {
  constructor(
    private readonly storage: Storage,
    private readonly access: DeviceAccess,
    private readonly limits: LogLimits = DEFAULT_LOG_LIMITS,
  ) {}

  /**
   * Stores a device's log payload — one line `{level, message, timestamp?, source?}`, an array of
   * them, or a plain string (an info line) — for the device `deviceId`, which the caller has
   * already authenticated. Resolves with the number of lines once they are committed; throws
   * InvalidInputError (→ 400 naming the member) for a bad payload.
   */
  async append(deviceId: string, payload: unknown, now = Date.now()): Promise<number> {
    const entries = normalizeLogLines(payload, deviceId, now, this.limits);
    try {
      return await this.storage.appendLogs(entries);
    } catch (err) {
      throw new FluxgateError('STORAGE_UNAVAILABLE', undefined, undefined, { cause: err });
    }
  }

  async query(principal: Principal, q: LogPageQuery): Promise<{ entries: LogEntry[]; nextCursor: string | null }> {
    await this.access.require(principal, q.deviceId, 'read');
    const query: LogQuery = { deviceId: q.deviceId, start: q.start, end: q.end, order: q.order, limit: q.limit + 1 };
    if (q.levels?.length) query.levels = q.levels;
    if (q.minLevel) query.minLevel = q.minLevel;
    if (q.cursor) query.after = decodeLogCursor(q.cursor);
    const rows = await this.storage.queryLogs(query);
    const entries = rows.slice(0, q.limit);
    const last = entries.at(-1);
    return { entries, nextCursor: rows.length > q.limit && last ? encodeLogCursor(last) : null };
  }
}

// The device's system logs: a time range (the chart ranges or from/to), the levels to include, newest
// first, older pages on demand. Messages are device-written text: React escapes them.
import { type FormEvent, useRef, useState } from 'react';
import type { LogLevel, LogLine, LogPage } from '../api/types.ts';
import { RANGES, formatTime, rangeMs } from '../lib/format.ts';
import { useAsync } from '../lib/use-async.ts';
import { useApp } from '../session.tsx';
import { Badge, ErrorText } from './ui.tsx';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warning', 'error', 'critical'];
const PAGE = 100;
const levelTone = (l: LogLevel) => (l === 'error' || l === 'critical' ? 'bad' : l === 'warning' ? 'warn' : l === 'info' ? 'ok' : 'muted');

/** A datetime-local value ("2026-01-02T03:04") in the browser's zone, as epoch ms; undefined when empty or bad. */
function localToMs(v: string): number | undefined {
  if (!v) return undefined;
  const ms = new Date(v).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

/** The query string for one page of logs. */
export function logQuery(o: { start: number; end: number; levels: readonly LogLevel[]; cursor?: string }): string {
  const q = new URLSearchParams({ start_time: String(o.start), end_time: String(o.end), limit: String(PAGE) });
  // All levels ticked is the same as no filter; none ticked shows nothing, so it is not sent.
  if (o.levels.length > 0 && o.levels.length < LOG_LEVELS.length) q.set('level', o.levels.join(','));
  if (o.cursor) q.set('cursor', o.cursor);
  return q.toString();
}

export function LogsPanel({ deviceId }: { deviceId: string }) {
  const { api } = useApp();
  const [range, setRange] = useState<string>('24h');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [levels, setLevels] = useState<LogLevel[]>([...LOG_LEVELS]);
  const [tick, setTick] = useState(0);
  const [older, setOlder] = useState<{ lines: LogLine[]; cursor: string | null }>();
  const [error, setError] = useState<unknown>();
  const base = `/api/v1/devices/${encodeURIComponent(deviceId)}/logs`;

  const custom = range === 'custom';
  /** The window of the first page, kept so older pages continue the same query. */
  const used = useRef({ start: 0, end: 0 });
  const first = useAsync(async () => {
    setOlder(undefined);
    // Recomputed on each load (and on Refresh), so "last 24 hours" means up to now.
    const end = custom ? (localToMs(to) ?? Date.now()) : Date.now();
    const start = custom ? (localToMs(from) ?? end - 86_400_000) : end - rangeMs(range);
    used.current = { start, end };
    if (levels.length === 0) return { device_id: deviceId, count: 0, logs: [], next_cursor: null } satisfies LogPage;
    return api.get<LogPage>(`${base}?${logQuery({ start, end, levels })}`);
  }, [api, base, range, from, to, levels.join(','), tick]);

  async function loadOlder() {
    const cursor = older?.cursor ?? first.data?.next_cursor;
    if (!cursor) return;
    setError(undefined);
    try {
      const page = await api.get<LogPage>(`${base}?${logQuery({ ...used.current, levels, cursor })}`);
      setOlder({ lines: [...(older?.lines ?? []), ...page.logs], cursor: page.next_cursor });
    } catch (err) {
      setError(err);
    }
  }

  const toggle = (l: LogLevel) => setLevels((old) => (old.includes(l) ? old.filter((x) => x !== l) : LOG_LEVELS.filter((x) => x === l || old.includes(x))));
  const lines = [...(first.data?.logs ?? []), ...(older?.lines ?? [])];
  const more = older ? older.cursor : first.data?.next_cursor;
  const refresh = (e?: FormEvent) => {
    e?.preventDefault();
    setTick((n) => n + 1);
  };

  return (
    <div className="card" data-testid="logs">
      <div className="page-head">
        <h2>Logs</h2>
        <button type="button" onClick={() => refresh()}>
          Refresh
        </button>
      </div>
      <form className="filters" onSubmit={refresh} aria-label="Log filters">
        <label>
          Time range
          <select value={range} onChange={(e) => setRange(e.target.value)} name="log_range">
            {RANGES.map((r) => (
              <option key={r.id} value={r.id}>
                Last {r.label}
              </option>
            ))}
            <option value="custom">From … to …</option>
          </select>
        </label>
        {custom && (
          <>
            <label>
              From
              <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} name="log_from" />
            </label>
            <label>
              To
              <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} name="log_to" />
            </label>
          </>
        )}
        <fieldset className="levels">
          <legend>Levels</legend>
          {LOG_LEVELS.map((l) => (
            <label key={l} className="inline">
              <input type="checkbox" checked={levels.includes(l)} onChange={() => toggle(l)} name={`log_level_${l}`} />
              {l}
            </label>
          ))}
        </fieldset>
      </form>
      <ErrorText error={first.error ?? error} />
      {lines.length === 0 ? (
        <p className="muted">{first.loading ? 'Loading…' : levels.length === 0 ? 'Tick at least one level.' : 'No log lines in this range.'}</p>
      ) : (
        <div className="table-wrap">
          <table className="logs">
            <thead>
              <tr>
                <th>Time</th>
                <th>Level</th>
                <th className="hide-narrow">Source</th>
                <th>Message</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l) => (
                <tr key={l.id} data-level={l.level}>
                  <td className="nowrap">{formatTime(l.ts)}</td>
                  <td>
                    <Badge tone={levelTone(l.level)}>{l.level}</Badge>
                  </td>
                  <td className="hide-narrow">{l.source ?? ''}</td>
                  <td className="log-message">{l.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {more && (
        <div className="pager">
          <button type="button" onClick={() => void loadOlder()}>
            Older lines
          </button>
        </div>
      )}
    </div>
  );
}

// Fleet overview: counts by status and type, online/offline, live ingest rate, recent events.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { StreamServerMessage } from '../../../src/contract/stream.ts';
import type { Command, Device, DeviceList, LogPage } from '../api/types.ts';
import { Badge, ErrorText } from '../components/ui.tsx';
import { formatTime, formatValue } from '../lib/format.ts';
import { useAsync } from '../lib/use-async.ts';
import { Link } from '../router.tsx';
import { useApp } from '../session.tsx';

const RATE_WINDOW_MS = 10_000;

/** Sums a counter in Prometheus text format. */
export function readCounter(text: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(line.trim().split(/\s+/).pop());
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}

/** This node's ingest rate from /metrics, which only admins may read (undefined for others). */
function usePlatformRate(api: ReturnType<typeof useApp>['api'], admin: boolean): number | undefined {
  const [rate, setRate] = useState<number>();
  useEffect(() => {
    if (!admin) return;
    let last: { at: number; n: number } | undefined;
    let live = true;
    const sample = async () => {
      try {
        const text = await (await api.blob('/metrics')).text();
        const n = readCounter(text, 'fluxgate_points_ingested_total');
        const at = Date.now();
        if (n !== undefined && last && live) setRate(Math.max(0, (n - last.n) / ((at - last.at) / 1000)));
        if (n !== undefined) last = { at, n };
      } catch {
        // metrics unreachable: keep the last figure
      }
    };
    void sample();
    const timer = setInterval(() => void sample(), 5000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api, admin]);
  return rate;
}

interface Event {
  at: number;
  deviceId: string;
  /** Short, in the badge. */
  label: string;
  /** Longer text after it (a log message). */
  text?: string;
  tone: 'ok' | 'warn' | 'bad' | 'muted';
}

/** Devices whose recent commands and error logs are loaded when the page opens. */
const RECENT_DEVICES = 10;
const commandTone = (s: Command['status']): Event['tone'] => (s === 'acked' ? 'ok' : s === 'failed' || s === 'expired' ? 'bad' : 'muted');

/** The last commands and error-or-worse log lines of the most recently seen devices (the last 24 hours). */
async function recentEvents(api: ReturnType<typeof useApp>['api'], devices: Device[]): Promise<Event[]> {
  const seen = (d: Device) => (d.last_seen ? Date.parse(d.last_seen) : 0);
  const top = [...devices].sort((a, b) => seen(b) - seen(a)).slice(0, RECENT_DEVICES);
  const since = Date.now() - 86_400_000;
  const parts = await Promise.all(
    top.map(async (d) => {
      const base = `/api/v1/devices/${encodeURIComponent(d.id)}`;
      const [commands, logs] = await Promise.all([
        api.get<Command[]>(`${base}/commands?limit=5`),
        api.get<LogPage>(`${base}/logs?min_level=error&limit=5&start_time=${since}`),
      ]);
      return [
        ...commands
          .filter((c) => Date.parse(c.created_at) >= since)
          .map((c): Event => ({ at: Date.parse(c.completed_at ?? c.created_at), deviceId: d.id, label: `command ${c.command}: ${c.status}`, tone: commandTone(c.status) })),
        ...logs.logs.map((l): Event => ({ at: l.ts, deviceId: d.id, label: l.level, text: l.message, tone: 'bad' })),
      ];
    }),
  );
  return parts.flat();
}

export function OverviewPage() {
  const { api, stream, session } = useApp();
  const list = useAsync(() => api.get<DeviceList>('/api/v1/devices?limit=1000'), [api]);
  const admin = session?.user.role === 'admin';
  const platformRate = usePlatformRate(api, admin);
  const [events, setEvents] = useState<Event[]>([]);
  const [myRate, setMyRate] = useState(0);
  const arrivals = useRef<Array<{ at: number; n: number }>>([]);

  const devices = useMemo(() => list.data?.devices ?? [], [list.data]);
  const ids = useMemo(() => devices.map((d) => d.id).join(','), [devices]);
  const recent = useAsync(() => recentEvents(api, devices), [api, devices]);
  const shown = useMemo(() => [...events, ...(recent.data ?? [])].sort((a, b) => b.at - a.at).slice(0, 20), [events, recent.data]);

  useEffect(() => {
    if (!ids) return;
    const onMessage = (m: StreamServerMessage) => {
      const now = Date.now();
      if (m.type === 'points') {
        arrivals.current.push({ at: now, n: m.points.length });
        return;
      }
      let ev: Event | undefined;
      if (m.type === 'status') ev = { at: now, deviceId: m.device_id, label: m.online ? 'came online' : 'went offline', tone: m.online ? 'ok' : 'warn' };
      if (m.type === 'command') ev = { at: now, deviceId: m.device_id, label: `command ${m.command}: ${m.status}`, tone: commandTone(m.status) };
      if (m.type === 'device_deleted') ev = { at: now, deviceId: m.device_id, label: 'was deleted', tone: 'muted' };
      if (ev) setEvents((list) => [ev, ...list].slice(0, 20));
    };
    const stops = ids.split(',').map((id) => stream.follow(id, onMessage));
    const timer = setInterval(() => {
      const since = Date.now() - RATE_WINDOW_MS;
      arrivals.current = arrivals.current.filter((a) => a.at >= since);
      setMyRate(arrivals.current.reduce((s, a) => s + a.n, 0) / (RATE_WINDOW_MS / 1000));
    }, 1000);
    return () => {
      clearInterval(timer);
      for (const stop of stops) stop();
    };
  }, [ids, stream]);

  const count = (key: (d: (typeof devices)[number]) => string) => {
    const out = new Map<string, number>();
    for (const d of devices) out.set(key(d), (out.get(key(d)) ?? 0) + 1);
    return [...out.entries()].sort((a, b) => b[1] - a[1]);
  };
  const online = devices.filter((d) => d.online).length;

  return (
    <section>
      <h1>Overview</h1>
      <ErrorText error={list.error} />
      <div className="cards">
        <div className="card stat">
          <div className="stat-value" data-testid="device-count">{list.data?.total ?? '…'}</div>
          <div className="stat-label">devices</div>
        </div>
        <div className="card stat">
          <div className="stat-value">
            {online} <span className="muted">/ {devices.length - online}</span>
          </div>
          <div className="stat-label">online / offline</div>
        </div>
        <div className="card stat">
          <div className="stat-value" data-testid="my-rate">{formatValue(myRate)}</div>
          <div className="stat-label">points/s from your devices (live)</div>
        </div>
        {admin && (
          <div className="card stat">
            <div className="stat-value">{platformRate === undefined ? '…' : formatValue(platformRate)}</div>
            <div className="stat-label">points/s stored by this node</div>
          </div>
        )}
      </div>
      <div className="grid2">
        <div className="card">
          <h2>By status</h2>
          <ul className="counts">
            {count((d) => d.status).map(([k, n]) => (
              <li key={k}>
                <Badge tone={k === 'active' ? 'ok' : k === 'maintenance' ? 'warn' : 'muted'}>{k}</Badge> {n}
              </li>
            ))}
          </ul>
          <h2>By type</h2>
          <ul className="counts">
            {count((d) => d.device_type).map(([k, n]) => (
              <li key={k}>
                {k} <strong>{n}</strong>
              </li>
            ))}
          </ul>
          {devices.length === 0 && !list.loading && (
            <p>
              No devices yet. <Link to="/devices">Add one</Link>.
            </p>
          )}
        </div>
        <div className="card">
          <h2>Recent commands and errors</h2>
          <ErrorText error={recent.error} />
          {shown.length === 0 ? (
            <p className="muted">Commands, error logs and status changes appear here as they happen.</p>
          ) : (
            <ul className="events" data-testid="recent-events">
              {shown.map((e, i) => (
                <li key={i}>
                  <span className="muted">{formatTime(e.at)}</span> <Link to={`/devices/${encodeURIComponent(e.deviceId)}`}>{e.deviceId}</Link>{' '}
                  <Badge tone={e.tone}>{e.label}</Badge>
                  {e.text ? <span className="block log-message">{e.text}</span> : null}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}

// Fleet overview: counts by status and type, online/offline and the ingest rate from one
// server-side aggregate (GET /devices/summary, refreshed every few seconds, right at any fleet
// size), and the recent commands, error logs and status changes of the most recently seen devices.
import { useEffect, useMemo, useState } from 'react';
import type { StreamServerMessage } from '../../../src/contract/stream.ts';
import type { Command, Device, DeviceList, DeviceSummary, LogPage } from '../api/types.ts';
import { Badge, ErrorText } from '../components/ui.tsx';
import { formatTime } from '../lib/format.ts';
import { useAsync } from '../lib/use-async.ts';
import { Link } from '../router.tsx';
import { useApp } from '../session.tsx';

const SUMMARY_REFRESH_MS = 5_000;

/** The summary, fetched now and every few seconds (a GROUP BY on the server: cheap at any fleet size). */
function useSummary(api: ReturnType<typeof useApp>['api']) {
  const summary = useAsync(() => api.get<DeviceSummary>('/api/v1/devices/summary'), [api]);
  const reload = summary.reload;
  useEffect(() => {
    const timer = setInterval(reload, SUMMARY_REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  return summary;
}

const rate = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

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
  const { api, stream } = useApp();
  const summary = useSummary(api);
  const recentlySeen = useAsync(() => api.get<DeviceList>(`/api/v1/devices?sort=last_seen&order=desc&limit=${RECENT_DEVICES}`), [api]);
  const [events, setEvents] = useState<Event[]>([]);

  const devices = useMemo(() => recentlySeen.data?.devices ?? [], [recentlySeen.data]);
  const ids = useMemo(() => devices.map((d) => d.id).join(','), [devices]);
  const recent = useAsync(() => recentEvents(api, devices), [api, devices]);
  const shown = useMemo(() => [...events, ...(recent.data ?? [])].sort((a, b) => b.at - a.at).slice(0, 20), [events, recent.data]);

  // Live events of the most recently seen devices (following every device would not scale).
  useEffect(() => {
    if (!ids) return;
    const onMessage = (m: StreamServerMessage) => {
      const now = Date.now();
      let ev: Event | undefined;
      if (m.type === 'status') ev = { at: now, deviceId: m.device_id, label: m.online ? 'came online' : 'went offline', tone: m.online ? 'ok' : 'warn' };
      if (m.type === 'command') ev = { at: now, deviceId: m.device_id, label: `command ${m.command}: ${m.status}`, tone: commandTone(m.status) };
      if (m.type === 'device_deleted') ev = { at: now, deviceId: m.device_id, label: 'was deleted', tone: 'muted' };
      if (ev) setEvents((list) => [ev, ...list].slice(0, 20));
    };
    const stops = ids.split(',').map((id) => stream.follow(id, onMessage));
    return () => {
      for (const stop of stops) stop();
    };
  }, [ids, stream]);

  const s = summary.data;
  const types = Object.entries(s?.by_type ?? {}).sort((a, b) => b[1].total - a[1].total || a[0].localeCompare(b[0]));

  return (
    <section>
      <h1>Overview</h1>
      <ErrorText error={summary.error ?? recentlySeen.error} />
      <div className="cards">
        <div className="card stat">
          <div className="stat-value" data-testid="device-count">{s?.total ?? '…'}</div>
          <div className="stat-label">devices</div>
        </div>
        <div className="card stat">
          <div className="stat-value" data-testid="online-offline">
            {s?.online ?? '…'} <span className="muted">/ {s?.offline ?? '…'}</span>
          </div>
          <div className="stat-label">online / offline</div>
        </div>
        <div className="card stat">
          <div className="stat-value" data-testid="ingest-rate">
            {s ? rate(s.ingest.points_per_second) : '…'} <span className="muted small">points/s</span>
          </div>
          <div className="stat-label">{s?.ingest.scope === 'platform' ? 'stored by this node, last minute' : 'from your devices, last minute'}</div>
        </div>
      </div>
      <div className="grid2">
        <div className="card">
          <h2>By status</h2>
          <ul className="counts" data-testid="by-status">
            {Object.entries(s?.by_status ?? {}).map(([k, n]) => (
              <li key={k}>
                <Badge tone={k === 'active' ? 'ok' : k === 'maintenance' ? 'warn' : 'muted'}>{k}</Badge> {n}
              </li>
            ))}
          </ul>
          <h2>By type</h2>
          <ul className="counts" data-testid="by-type">
            {types.map(([k, n]) => (
              <li key={k}>
                <Link to={`/devices?type=${encodeURIComponent(k)}`}>{k}</Link> <strong>{n.total}</strong> <span className="muted small">{n.online} online</span>
              </li>
            ))}
          </ul>
          {s?.total === 0 && (
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

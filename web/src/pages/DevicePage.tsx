// One device, in tabs: overview (latest values, live), charts (live), control, history, logs, files and
// images, alarms, sharing; edit and key rotation. The tab is in the URL (?tab=), so it survives a reload.
import { useEffect, useMemo, useState } from 'react';
import { describeRange, isOutOfRange } from '../../../src/contract/profiles/profile-checks.ts';
import type { Device, DeviceProfile } from '../api/types.ts';
import { AlarmList } from '../components/AlarmList.tsx';
import { ControlPanel } from '../components/ControlPanel.tsx';
import { ApiKeyOnce, DeviceForm } from '../components/DeviceForm.tsx';
import { HistoryTable } from '../components/HistoryTable.tsx';
import { HomeAssistantBadge } from '../components/HomeAssistantBadge.tsx';
import { LogsPanel } from '../components/LogsPanel.tsx';
import { FilesPanel } from '../components/FilesPanel.tsx';
import { LiveCharts } from '../components/LiveCharts.tsx';
import { SharingPanel } from '../components/SharingPanel.tsx';
import { Badge, ErrorText, Modal } from '../components/ui.tsx';
import { DEFAULT_FILTERS } from '../lib/alarms.ts';
import { formatTime, timeAgo } from '../lib/format.ts';
import { fieldSpec, formatReading, useDeviceProfile } from '../lib/profile.ts';
import { useAsync } from '../lib/use-async.ts';
import { loadSettingsText } from '../lib/load-settings.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { useApp } from '../session.tsx';

interface Latest {
  timestamp: string | null;
  values: Record<string, number | boolean | string>;
}

function LatestValues({ deviceId, profile }: { deviceId: string; profile: DeviceProfile['profile'] | undefined }) {
  const { api, stream } = useApp();
  const latest = useAsync(() => api.get<Latest>(`/api/v1/telemetry/${encodeURIComponent(deviceId)}/latest`), [api, deviceId]);
  const [values, setValues] = useState<Record<string, { value: unknown; ts: number }>>({});
  useEffect(() => {
    const d = latest.data;
    if (!d) return;
    const ts = d.timestamp ? Date.parse(d.timestamp) : 0;
    setValues(Object.fromEntries(Object.entries(d.values).map(([k, v]) => [k, { value: v, ts }])));
  }, [latest.data]);
  useEffect(() => {
    const stop = stream.follow(deviceId, (m) => {
      if (m.type !== 'points') return;
      setValues((old) => {
        const next = { ...old };
        for (const p of m.points) if (!next[p.field] || next[p.field]!.ts <= p.ts) next[p.field] = { value: p.value, ts: p.ts };
        return next;
      });
    });
    const resume = stream.onResume(latest.reload);
    return () => {
      stop();
      resume();
    };
  }, [stream, deviceId, latest.reload]);
  // The profile's main fields first, in its order; then the rest by name.
  const rank = (key: string) => {
    const i = profile?.views.main_fields.indexOf(key) ?? -1;
    return i >= 0 ? i : Number.MAX_SAFE_INTEGER;
  };
  const entries = Object.entries(values).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  return (
    <div className="cards" aria-label="Latest values">
      <ErrorText error={latest.error} />
      {entries.map(([field, v]) => {
        const spec = fieldSpec(profile, field);
        const outside = !!spec && isOutOfRange(spec, v.value);
        return (
          <div className={`card stat${outside ? ' out-of-range' : ''}`} key={field} data-testid={`latest-${field}`}>
            <div className="stat-value">{formatReading(v.value, spec)}</div>
            <div className="stat-label">
              {spec?.label ?? field} {profile && !spec && <span className="badge muted">unprofiled</span>}
              {outside && (
                <span className="badge warn" title={`expected ${describeRange(spec)}`}>
                  out of range
                </span>
              )}{' '}
              <span className="muted small">{formatTime(v.ts)}</span>
            </div>
          </div>
        );
      })}
      {entries.length === 0 && !latest.loading && <p className="muted">No telemetry yet.</p>}
    </div>
  );
}

/** The device's alarms, open ones first; all of them on request. */
function DeviceAlarms({ deviceId }: { deviceId: string }) {
  const [state, setState] = useState('open');
  const filters = useMemo(() => ({ ...DEFAULT_FILTERS, state, deviceId }), [state, deviceId]);
  const ids = useMemo(() => [deviceId], [deviceId]);
  return (
    <div>
      <label className="inline">
        Show
        <select value={state} onChange={(e) => setState(e.target.value)}>
          <option value="open">Open alarms</option>
          <option value="all">All alarms</option>
        </select>
      </label>
      <AlarmList filters={filters} deviceIds={ids} />
    </div>
  );
}

const TABS = [
  ['overview', 'Overview'],
  ['charts', 'Charts'],
  ['control', 'Control'],
  ['history', 'History'],
  ['logs', 'Logs'],
  ['files', 'Files and images'],
  ['alarms', 'Alarms'],
  ['sharing', 'Sharing'],
] as const;
type Tab = (typeof TABS)[number][0];

function DeviceTabs({ tab, onTab }: { tab: Tab; onTab: (t: Tab) => void }) {
  return (
    <div className="tabs device-tabs" role="tablist" aria-label="Device sections">
      {TABS.map(([id, label]) => (
        <button key={id} type="button" role="tab" id={`tab-${id}`} aria-selected={tab === id} aria-controls="device-tab-panel" onClick={() => onTab(id)}>
          {label}
        </button>
      ))}
    </div>
  );
}

/** A device shared with the caller: who owns it is not theirs to manage, but they may drop their access. */
function SharedWithYou({ deviceId, userId }: { deviceId: string; userId: string }) {
  const { api } = useApp();
  const [error, setError] = useState<unknown>();
  async function leave() {
    try {
      await api.del(`/api/v1/devices/${encodeURIComponent(deviceId)}/access/${encodeURIComponent(userId)}`);
      navigate('/devices');
    } catch (err) {
      setError(err);
    }
  }
  return (
    <div className="card">
      <h2>Sharing</h2>
      <p className="muted">This device is shared with you by its owner.</p>
      <button type="button" className="danger" onClick={() => window.confirm('Remove your access to this device?') && void leave()}>
        Remove my access
      </button>
      <ErrorText error={error} />
    </div>
  );
}

export function DevicePage({ id }: { id: string }) {
  const { api, stream, session } = useApp();
  const device = useAsync(() => api.get<Device>(`/api/v1/devices/${encodeURIComponent(id)}`), [api, id]);
  const profile = useDeviceProfile(id);
  const { query } = useLocation();
  const tab: Tab = TABS.find(([t]) => t === query.get('tab'))?.[0] ?? 'overview';
  const setTab = (t: Tab) => navigate(`/devices/${encodeURIComponent(id)}${t === 'overview' ? '' : `?tab=${t}`}`, true);
  const [editing, setEditing] = useState(false);
  const [confirmRotate, setConfirmRotate] = useState(false);
  const [newKey, setNewKey] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [seenLive, setSeenLive] = useState<number>();
  const [revoked, setRevoked] = useState<string>();
  // The whole page re-renders on this: once a second is enough for "last seen".
  useEffect(
    () =>
      stream.follow(id, (m) => {
        if (m.type === 'points') setSeenLive((t) => (t && Date.now() - t < 1000 ? t : Date.now()));
        if (m.type === 'access_revoked') setRevoked(m.message);
      }),
    [stream, id],
  );

  async function rotate() {
    setConfirmRotate(false);
    try {
      const r = await api.post<{ api_key: string }>(`/api/v1/devices/${encodeURIComponent(id)}/api-key`);
      setNewKey(r.api_key);
    } catch (err) {
      setError(err);
    }
  }

  const d = device.data;
  const me = session?.user;
  const manages = !!d && !!me && (me.role === 'admin' || me.id === d.owner_id);
  if (device.error) {
    return (
      <section>
        <h1>Device</h1>
        <ErrorText error={device.error} />
        <Link to="/devices">Back to devices</Link>
      </section>
    );
  }
  if (revoked) {
    return (
      <section>
        <h1>Device</h1>
        <p role="alert" className="error">
          {revoked}
        </p>
        <Link to="/devices">Back to devices</Link>
      </section>
    );
  }
  return (
    <section>
      <p className="crumbs">
        <Link to="/devices">Devices</Link> / {id}
      </p>
      <div className="page-head">
        <h1>{d?.name ?? id}</h1>
        <div className="inline">
          {manages && (
            <>
              <button type="button" onClick={() => setEditing(true)}>
                Edit
              </button>
              <button type="button" onClick={() => setConfirmRotate(true)}>
                Rotate API key
              </button>
            </>
          )}
        </div>
      </div>
      {d && (
        <p className="meta">
          <Badge tone={d.online || seenLive ? 'ok' : 'muted'}>{d.online || seenLive ? 'online' : 'offline'}</Badge> <Badge tone={d.status === 'active' ? 'ok' : 'warn'}>{d.status}</Badge>{' '}
          <HomeAssistantBadge deviceId={id} />
          {d.device_type}
          {d.location ? ` · ${d.location}` : ''}
          {loadSettingsText(d)} · last seen {seenLive ? timeAgo(new Date(seenLive).toISOString()) : timeAgo(d.last_seen)}
          {d.description ? <span className="block muted">{d.description}</span> : null}
        </p>
      )}
      <ErrorText error={error} />
      {d && (
        <>
          <DeviceTabs tab={tab} onTab={setTab} />
          <div id="device-tab-panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
            {tab === 'overview' && <LatestValues deviceId={id} profile={profile.data?.profile} />}
            {tab === 'charts' && <LiveCharts deviceId={id} profile={profile.data?.profile} />}
            {tab === 'control' && <ControlPanel deviceId={id} profile={profile.data} />}
            {tab === 'history' && <HistoryTable deviceId={id} profile={profile.data?.profile} />}
            {tab === 'logs' && <LogsPanel deviceId={id} />}
            {tab === 'files' && <FilesPanel deviceId={id} canChange={!!profile.data && profile.data.access !== 'read'} />}
            {tab === 'alarms' && <DeviceAlarms deviceId={id} />}
            {tab === 'sharing' && (manages ? <SharingPanel deviceId={id} /> : me && <SharedWithYou deviceId={id} userId={me.id} />)}
          </div>
        </>
      )}
      {editing && d && (
        <DeviceForm
          device={d}
          onCancel={() => setEditing(false)}
          onDone={() => {
            setEditing(false);
            device.reload();
          }}
        />
      )}
      {confirmRotate && (
        <Modal title="Rotate the API key?" onClose={() => setConfirmRotate(false)}>
          <p>The current key stops working at once: the device must be given the new key.</p>
          <div className="actions">
            <button type="button" onClick={() => setConfirmRotate(false)}>
              Cancel
            </button>
            <button type="button" className="danger" onClick={() => void rotate()}>
              Rotate key
            </button>
          </div>
        </Modal>
      )}
      {newKey && <ApiKeyOnce deviceId={id} apiKey={newKey} onClose={() => setNewKey(undefined)} />}
      {d === undefined && !device.loading && <button onClick={() => navigate('/devices')}>Back</button>}
    </section>
  );
}

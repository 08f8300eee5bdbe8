// A list of alarms (the Alarms page, a device's Alarms tab): severity by colour and label, the
// device by name, the reading that fired it with its unit and limit; opening one shows its history
// and the acknowledge / clear / comment actions. New and changed alarms arrive live.
import { useCallback, useMemo, useState } from 'react';
import type { AccessGrant, Alarm, AlarmWithHistory, Rule } from '../api/types.ts';
import { type AlarmFilters, alarmListPath, alarmReadings, describeActionOutcome, severityLabel, who } from '../lib/alarms.ts';
import { formatTime } from '../lib/format.ts';
import { fieldSpec } from '../lib/profile.ts';
import { useAlarmFeed, useReloadOnResume } from '../lib/use-alarm-feed.ts';
import { useAsync } from '../lib/use-async.ts';
import { useCoalesced } from '../lib/use-coalesced.ts';
import { type DeviceInfo, useDeviceInfo } from '../lib/use-device-info.ts';
import { Link } from '../router.tsx';
import { useApp } from '../session.tsx';
import { ErrorText } from './ui.tsx';

const PAGE = 50;

export function SeverityBadge({ severity }: { severity: Alarm['severity'] }) {
  return <span className={`badge sev-${severity}`}>{severityLabel(severity)}</span>;
}

function StateBadge({ state }: { state: Alarm['state'] }) {
  return <span className={`badge state-${state}`}>{state}</span>;
}

export function AlarmList({ filters, deviceIds }: { filters: AlarmFilters; deviceIds?: string[] }) {
  const { api } = useApp();
  const [offset, setOffset] = useState(0);
  const path = alarmListPath(filters, PAGE, offset);
  const list = useAsync(() => api.get<{ alarms: Alarm[]; total: number }>(path), [api, path]);
  const rules = useAsync(() => api.get<{ rules: Rule[] }>('/api/v1/rules'), [api]);
  const [open, setOpen] = useState<string>();
  const [changed, setChanged] = useState(0);
  const refresh = useCallback(() => {
    list.reload();
    setChanged((n) => n + 1);
  }, [list.reload]);
  // A burst of changes (10,000 devices going silent at once) refetches at most once a second.
  const onAlarm = useCoalesced(refresh, 1000);
  const following = useAlarmFeed(onAlarm, deviceIds);
  useReloadOnResume(list.reload);
  const alarms = list.data?.alarms ?? [];
  const info = useDeviceInfo(alarms.map((a) => a.device_id));
  const ruleById = useMemo(() => new Map((rules.data?.rules ?? []).map((r) => [r.id, r])), [rules.data]);
  const total = list.data?.total ?? 0;

  return (
    <div className="alarm-list">
      <ErrorText error={list.error} />
      <p className="muted small" data-testid="alarm-live">
        {following.all
          ? 'Live updates from all your devices.'
          : following.devices > 0
            ? `Live updates from ${following.devices} ${following.devices === 1 ? 'device' : 'devices'}.`
            : 'Live updates are not connected.'}
      </p>
      {list.data && alarms.length === 0 && <p className="muted">No alarms match.</p>}
      <ul className="alarms" aria-label="Alarms">
        {alarms.map((a) => {
          const device = info[a.device_id];
          const readings = alarmReadings(a, ruleById.get(a.rule_id), (f) => fieldSpec(device?.profile ?? undefined, f));
          const expanded = open === a.id;
          return (
            <li key={a.id} className={`alarm sev-${a.severity} ${a.state}`} data-testid={`alarm-${a.id}`} aria-label={`${severityLabel(a.severity)} alarm ${a.rule_name} on ${device?.name ?? a.device_id}`}>
              <div className="alarm-head">
                <SeverityBadge severity={a.severity} /> <StateBadge state={a.state} /> <strong>{a.rule_name}</strong>
                <span className="muted"> on </span>
                <Link to={`/devices/${encodeURIComponent(a.device_id)}`}>{device?.name ?? a.device_id}</Link>
              </div>
              <div className="alarm-meta muted small">
                raised {formatTime(a.raised_at)}
                {readings.length > 0 && <span className="alarm-readings"> · {readings.join(' · ')}</span>}
              </div>
              <button type="button" className="link" aria-expanded={expanded} onClick={() => setOpen(expanded ? undefined : a.id)}>
                {expanded ? 'Hide details' : 'Details and history'}
              </button>
              {expanded && <AlarmDetail id={a.id} device={device} changed={changed} onChanged={list.reload} />}
            </li>
          );
        })}
      </ul>
      {total > PAGE && (
        <div className="pager">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            Newer
          </button>
          <span>
            {offset + 1}–{Math.min(offset + PAGE, total)} of {total}
          </span>
          <button type="button" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
            Older
          </button>
        </div>
      )}
    </div>
  );
}


const EVENT_WORDS: Record<string, string> = {
  raised: 'raised',
  acknowledged: 'acknowledged',
  cleared: 'cleared',
  severity_changed: 'severity changed',
  comment: 'comment',
  action: 'action',
};

function AlarmDetail({ id, device, changed, onChanged }: { id: string; device: DeviceInfo | undefined; changed: number; onChanged: () => void }) {
  const { api, session } = useApp();
  const alarm = useAsync(() => api.get<AlarmWithHistory>(`/api/v1/alarms/${encodeURIComponent(id)}`), [api, id, changed]);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const a = alarm.data;
  const readOnly = device?.access === 'read';
  // Owners and admins see who the device is shared with, so they see those users' names.
  const manages = device?.access === 'owner' || device?.access === 'admin';
  const deviceId = a?.device_id;
  const grants = useAsync(
    () => (manages && deviceId ? api.get<AccessGrant[]>(`/api/v1/devices/${encodeURIComponent(deviceId)}/access`) : Promise.resolve([])),
    [api, manages, deviceId],
  );
  const names = useMemo(() => new Map((grants.data ?? []).map((g) => [g.user_id, g.username])), [grants.data]);
  const reasonId = `alarm-${id}-reason`;

  async function act(kind: 'ack' | 'clear' | 'comments') {
    setBusy(true);
    setError(undefined);
    try {
      const text = comment.trim();
      await api.post(`/api/v1/alarms/${encodeURIComponent(id)}/${kind}`, kind === 'comments' ? { comment: text } : text ? { comment: text } : {});
      setComment('');
      alarm.reload();
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="alarm-detail">
      <ErrorText error={alarm.error} />
      {a && (
        <>
          <h3>History</h3>
          <ol className="alarm-history" aria-label="Alarm history">
            {a.events.map((e) => (
              <li key={e.id}>
                <span className="nowrap">{formatTime(e.at)}</span> <strong>{EVENT_WORDS[e.kind] ?? e.kind}</strong>
                {e.kind === 'severity_changed' && ` to ${String(e.details.to ?? '')}`}
                {e.kind === 'action' ? ` ${describeActionOutcome(e.details)} by the rule` : ` by ${who(e.user_id, session?.user.id, names)}`}
                {e.comment && <q className="alarm-comment">{e.comment}</q>}
              </li>
            ))}
          </ol>
          <label>
            Comment
            <textarea rows={2} maxLength={2000} value={comment} onChange={(e) => setComment(e.target.value)} />
          </label>
          <div className="inline">
            <button type="button" className="primary" disabled={busy || readOnly || a.state !== 'active'} aria-describedby={readOnly ? reasonId : undefined} onClick={() => void act('ack')}>
              Acknowledge
            </button>
            <button type="button" disabled={busy || readOnly || a.state === 'cleared'} aria-describedby={readOnly ? reasonId : undefined} onClick={() => void act('clear')}>
              Clear
            </button>
            <button type="button" disabled={busy || !comment.trim()} onClick={() => void act('comments')}>
              Add comment
            </button>
          </div>
          {readOnly && (
            <p id={reasonId} className="muted small">
              You have read-only access to this device: you may comment, but acknowledging and clearing need control access.
            </p>
          )}
          <ErrorText error={error} />
        </>
      )}
    </div>
  );
}

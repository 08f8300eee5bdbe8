// Admin: telemetry on disk per profile and for the largest devices, the retention each profile gets,
// and the compaction state; an admin can apply retention or compact at once instead of waiting.
import { useState } from 'react';
import type { AdminStats, CompactionRun, RetentionRun, StorageOverview } from '../api/types.ts';
import { formatBytes, formatValue } from '../lib/format.ts';
import { useAction } from '../lib/use-action.ts';
import { useAsync } from '../lib/use-async.ts';
import { Link } from '../router.tsx';
import { useApp } from '../session.tsx';
import { ErrorText } from './ui.tsx';

const keep = (days: number) => (days === 0 ? 'forever' : `${days} d`);
const policy = (r: StorageOverview['defaults']) => `raw ${keep(r.raw_days)} · minute ${keep(r.minute_days)} · hour ${keep(r.hour_days)}`;

export function StorageCard() {
  const { api } = useApp();
  const [version, setVersion] = useState(0);
  const overview = useAsync(() => api.get<StorageOverview>('/api/v1/admin/storage?top=10'), [api, version]);
  const stats = useAsync(() => api.get<AdminStats>('/api/v1/admin/stats'), [api, version]);
  const [notice, setNotice] = useState('');
  const action = useAction(() => setVersion((v) => v + 1));
  const o = overview.data;
  const s = stats.data?.storage;
  return (
    <div className="card" data-testid="storage-card">
      <div className="page-head">
        <h2>Telemetry storage</h2>
        <div className="actions">
          <button
            type="button"
            onClick={() =>
              void action.act(async () => {
                const r = await api.post<RetentionRun>('/api/v1/admin/storage/retention', {});
                setNotice(`Retention applied: ${formatValue(r.dropped_points)} points in ${r.dropped_chunks} chunks dropped, ${r.dropped_rollup_rows} rollup rows dropped.`);
              })
            }
          >
            Apply retention now
          </button>
          <button
            type="button"
            onClick={() =>
              void action.act(async () => {
                const r = await api.post<CompactionRun>('/api/v1/admin/storage/compact', {});
                setNotice(`Compacted: ${r.merged_windows} series-days merged, ${formatValue(r.moved_points)} points moved from the old layout.`);
              })
            }
          >
            Compact now
          </button>
        </div>
      </div>
      {notice && <p className="muted small">{notice}</p>}
      <ErrorText error={action.error ?? overview.error ?? stats.error} />
      {o && s && (
        <dl className="kv">
          <div>
            <dt>compressed telemetry</dt>
            <dd>
              {formatBytes(o.totals.bytes)} <span className="muted">· {formatValue(o.totals.points)} points in {formatValue(o.totals.chunks)} chunks</span>
              {o.totals.points > 0 && <span className="muted"> · {formatValue(Math.round((o.totals.bytes / o.totals.points) * 100) / 100)} bytes per point</span>}
            </dd>
          </div>
          <div>
            <dt>compaction backlog</dt>
            <dd>
              {formatValue(s.compaction_backlog)} chunks
              {s.old_layout_points > 0 && <span className="muted"> · {formatValue(s.old_layout_points)} points still in the old layout, moving</span>}
            </dd>
          </div>
          <div>
            <dt>default retention</dt>
            <dd>{policy(o.defaults)}</dd>
          </div>
        </dl>
      )}
      {o && o.profiles.length > 0 && (
        <div className="table-wrap">
          <table data-testid="storage-profiles">
            <thead>
              <tr>
                <th>Profile</th>
                <th>Devices</th>
                <th className="hide-narrow">Points</th>
                <th>On disk</th>
                <th>Retention</th>
              </tr>
            </thead>
            <tbody>
              {o.profiles.map((p) => (
                <tr key={p.profile_id ?? ''}>
                  <td>{p.name}</td>
                  <td>{p.devices}</td>
                  <td className="hide-narrow">{formatValue(p.points)}</td>
                  <td>{formatBytes(p.bytes)}</td>
                  <td className="small">{policy(p.retention)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {o && o.devices.length > 0 && (
        <div className="table-wrap">
          <table data-testid="storage-devices">
            <thead>
              <tr>
                <th>Largest devices</th>
                <th className="hide-narrow">Type</th>
                <th className="hide-narrow">Points</th>
                <th>On disk</th>
              </tr>
            </thead>
            <tbody>
              {o.devices.map((d) => (
                <tr key={d.id}>
                  <td>
                    <Link to={`/devices/${encodeURIComponent(d.id)}`}>{d.name}</Link>
                  </td>
                  <td className="hide-narrow">{d.device_type}</td>
                  <td className="hide-narrow">{formatValue(d.points)}</td>
                  <td>{formatBytes(d.bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {o && o.devices.length === 0 && <p className="muted">No telemetry stored yet.</p>}
    </div>
  );
}

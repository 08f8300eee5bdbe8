// Devices: search, filter by type, location and status, page through; create, edit, delete.
import { useEffect, useState } from 'react';
import type { Device, DeviceList } from '../api/types.ts';
import { ApiKeyOnce, DeviceForm } from '../components/DeviceForm.tsx';
import { Badge, ErrorText, Modal } from '../components/ui.tsx';
import { timeAgo } from '../lib/format.ts';
import { useAsync } from '../lib/use-async.ts';
import { Link, navigate } from '../router.tsx';
import { useApp } from '../session.tsx';

const PAGE = 20;

export function DevicesPage() {
  const { api, session } = useApp();
  const me = session?.user;
  const manages = (d: Device) => !!me && (me.role === 'admin' || me.id === d.owner_id);
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [type, setType] = useState('');
  const [location, setLocation] = useState('');
  const [status, setStatus] = useState('');
  const [offset, setOffset] = useState(0);
  const [editing, setEditing] = useState<Device | 'new' | undefined>();
  const [deleting, setDeleting] = useState<Device | undefined>();
  const [shownKey, setShownKey] = useState<{ id: string; key: string } | undefined>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    const t = setTimeout(() => {
      setSearch(q);
      setOffset(0);
    }, 250);
    return () => clearTimeout(t);
  }, [q]);

  const params = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
  if (search) params.set('q', search);
  if (type) params.set('type', type);
  if (location) params.set('location', location);
  if (status) params.set('status', status);
  const list = useAsync(() => api.get<DeviceList>(`/api/v1/devices?${params}`), [api, params.toString()]);
  const types = useAsync(() => api.get<string[]>('/api/v1/device-types'), [api, list.data]);
  const locations = useAsync(() => api.get<string[]>('/api/v1/device-locations'), [api, list.data]);

  async function remove(d: Device) {
    try {
      // The server deletes telemetry, logs and files only when asked explicitly (issue 7).
      await api.del(`/api/v1/devices/${encodeURIComponent(d.id)}?confirm=true`);
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setDeleting(undefined);
    }
  }

  const total = list.data?.total ?? 0;
  return (
    <section>
      <div className="page-head">
        <h1>Devices</h1>
        <button type="button" className="primary" onClick={() => setEditing('new')}>
          New device
        </button>
      </div>
      <div className="filters">
        <label>
          Search
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="id, name, location…" />
        </label>
        <label>
          Type
          <select value={type} onChange={(e) => (setType(e.target.value), setOffset(0))}>
            <option value="">all</option>
            {types.data?.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Location
          <select value={location} onChange={(e) => (setLocation(e.target.value), setOffset(0))}>
            <option value="">all</option>
            {locations.data?.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => (setStatus(e.target.value), setOffset(0))}>
            <option value="">all</option>
            <option>active</option>
            <option>inactive</option>
            <option>maintenance</option>
          </select>
        </label>
      </div>
      <ErrorText error={list.error ?? error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th className="hide-narrow">Location</th>
              <th>Status</th>
              <th className="hide-narrow">Last seen</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data?.devices.map((d) => (
              <tr key={d.id}>
                <td>
                  <Link to={`/devices/${encodeURIComponent(d.id)}`}>{d.name}</Link>
                  <div className="muted small">{d.id}</div>
                </td>
                <td>{d.device_type}</td>
                <td className="hide-narrow">{d.location ?? '—'}</td>
                <td>
                  <Badge tone={d.online ? 'ok' : 'muted'}>{d.online ? 'online' : 'offline'}</Badge>{' '}
                  {d.status !== 'active' && <Badge tone="warn">{d.status}</Badge>}
                </td>
                <td className="hide-narrow">{timeAgo(d.last_seen)}</td>
                <td className="row-actions">
                  {manages(d) ? (
                    <>
                      <button type="button" onClick={() => setEditing(d)} aria-label={`Edit ${d.name}`}>
                        Edit
                      </button>
                      <button type="button" className="danger" onClick={() => setDeleting(d)} aria-label={`Delete ${d.name}`}>
                        Delete
                      </button>
                    </>
                  ) : (
                    <span className="muted small">shared with you</span>
                  )}
                </td>
              </tr>
            ))}
            {list.data && list.data.devices.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  No devices match.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <div className="pager">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          Previous
        </button>
        <span>
          {total === 0 ? 0 : offset + 1}–{Math.min(total, offset + PAGE)} of {total}
        </span>
        <button type="button" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
          Next
        </button>
      </div>
      {editing && (
        <DeviceForm
          device={editing === 'new' ? undefined : editing}
          onCancel={() => setEditing(undefined)}
          onDone={(d, key) => {
            setEditing(undefined);
            list.reload();
            if (key) setShownKey({ id: d.id, key });
          }}
        />
      )}
      {shownKey && (
        <ApiKeyOnce
          deviceId={shownKey.id}
          apiKey={shownKey.key}
          onClose={() => {
            const id = shownKey.id;
            setShownKey(undefined);
            navigate(`/devices/${encodeURIComponent(id)}`);
          }}
        />
      )}
      {deleting && (
        <Modal title={`Delete ${deleting.name}?`} onClose={() => setDeleting(undefined)}>
          <p>This deletes the device with all of its telemetry, logs and files. It cannot be undone.</p>
          <div className="actions">
            <button type="button" onClick={() => setDeleting(undefined)}>
              Cancel
            </button>
            <button type="button" className="danger" onClick={() => void remove(deleting)}>
              Delete device
            </button>
          </div>
        </Modal>
      )}
    </section>
  );
}

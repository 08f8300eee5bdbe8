// Devices: search; filter by type, location, status and online; sort; page through any number of
// devices (the range shown, a jump to any page); each row shows the latest values of the profile's
// main fields with units; create, edit, delete.
import { type FormEvent, useEffect, useState } from 'react';
import type { Device, DeviceList, DeviceListItem, Profile } from '../api/types.ts';
import { ApiKeyOnce, DeviceForm } from '../components/DeviceForm.tsx';
import { Badge, ErrorText, Modal } from '../components/ui.tsx';
import { timeAgo } from '../lib/format.ts';
import { fieldSpec, formatReading, profileOf } from '../lib/profile.ts';
import { useAsync } from '../lib/use-async.ts';
import { Link, navigate } from '../router.tsx';
import { useApp } from '../session.tsx';

const PAGE = 20;
const SORTS = [
  ['created_at:desc', 'newest first'],
  ['name:asc', 'name A–Z'],
  ['name:desc', 'name Z–A'],
  ['device_type:asc', 'type'],
  ['last_seen:desc', 'last seen'],
  ['created_at:asc', 'oldest first'],
] as const;

/** The latest values of a listed device, each with its field's label and unit. */
function LatestCell({ device, profile }: { device: DeviceListItem; profile: Profile | undefined }) {
  const entries = Object.entries(device.latest);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="latest-list">
      {entries.map(([field, v]) => {
        const spec = fieldSpec(profile, field);
        return (
          <li key={field} title={`${field} at ${v.ts}`}>
            <span className="muted small">{spec?.label ?? field}</span> <span className="nowrap">{formatReading(v.value, spec)}</span>
          </li>
        );
      })}
    </ul>
  );
}

/** "21–40 of 1,017", first/previous/next/last, and a page number to jump to. */
function Pager({ offset, total, onOffset }: { offset: number; total: number; onOffset: (o: number) => void }) {
  const pages = Math.max(1, Math.ceil(total / PAGE));
  const page = Math.floor(offset / PAGE) + 1;
  const [jump, setJump] = useState(String(page));
  useEffect(() => setJump(String(page)), [page]);
  const go = (e: FormEvent) => {
    e.preventDefault();
    const n = Math.min(pages, Math.max(1, Math.round(Number(jump)) || 1));
    onOffset((n - 1) * PAGE);
  };
  const fmt = (n: number) => n.toLocaleString();
  return (
    <div className="pager">
      <span data-testid="page-range">
        {total === 0 ? 0 : fmt(offset + 1)}–{fmt(Math.min(total, offset + PAGE))} of {fmt(total)}
      </span>
      <button type="button" disabled={offset === 0} onClick={() => onOffset(0)} aria-label="First page">
        «
      </button>
      <button type="button" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - PAGE))}>
        Previous
      </button>
      <form className="inline" onSubmit={go}>
        <label className="inline">
          Page
          <input type="number" min={1} max={pages} value={jump} onChange={(e) => setJump(e.target.value)} className="narrow" name="page" />
        </label>
        <span className="muted small">of {fmt(pages)}</span>
      </form>
      <button type="button" disabled={offset + PAGE >= total} onClick={() => onOffset(offset + PAGE)}>
        Next
      </button>
      <button type="button" disabled={offset + PAGE >= total} onClick={() => onOffset((pages - 1) * PAGE)} aria-label="Last page">
        »
      </button>
    </div>
  );
}

export function DevicesPage() {
  const { api, session } = useApp();
  const me = session?.user;
  const manages = (d: Device) => !!me && (me.role === 'admin' || me.id === d.owner_id);
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  // The overview links here with ?type= (and ?online=).
  const initial = new URLSearchParams(window.location.search);
  const [type, setType] = useState(initial.get('type') ?? '');
  const [online, setOnline] = useState(initial.get('online') ?? '');
  const [sort, setSort] = useState<string>(SORTS[0][0]);
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
    }, 150);
    return () => clearTimeout(t);
  }, [q]);

  const params = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
  if (search) params.set('q', search);
  if (type) params.set('type', type);
  if (location) params.set('location', location);
  if (status) params.set('status', status);
  if (online) params.set('online', online);
  const [sortBy, order] = sort.split(':') as [string, string];
  params.set('sort', sortBy);
  params.set('order', order);
  const list = useAsync(() => api.get<DeviceList>(`/api/v1/devices?${params}`), [api, params.toString()]);
  const types = useAsync(() => api.get<string[]>('/api/v1/device-types'), [api, list.data]);
  const locations = useAsync(() => api.get<string[]>('/api/v1/device-locations'), [api, list.data]);
  const profiles = useAsync(() => api.get<{ profiles: Profile[] }>('/api/v1/profiles'), [api]);

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
        <label>
          Online
          <select value={online} onChange={(e) => (setOnline(e.target.value), setOffset(0))} name="online">
            <option value="">all</option>
            <option value="true">online</option>
            <option value="false">offline</option>
          </select>
        </label>
        <label>
          Sort
          <select value={sort} onChange={(e) => (setSort(e.target.value), setOffset(0))} name="sort">
            {SORTS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorText error={list.error ?? error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th className="hide-narrow">Type</th>
              <th>Latest</th>
              <th className="hide-narrow">Location</th>
              <th className="hide-narrow">Status</th>
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
                  <div className="muted small">
                    {d.id}
                    <span className="show-narrow">
                      {' '}
                      · {d.device_type} · {d.online ? 'online' : 'offline'}
                    </span>
                  </div>
                </td>
                <td className="hide-narrow">{d.device_type}</td>
                <td>
                  <LatestCell device={d} profile={profileOf(profiles.data?.profiles, d)} />
                </td>
                <td className="hide-narrow">{d.location ?? '—'}</td>
                <td className="hide-narrow">
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
                <td colSpan={7} className="muted">
                  No devices match.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <Pager offset={offset} total={total} onOffset={setOffset} />
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

// Admin: system stats, users (create, deactivate, delete, the devices each can see), and device
// assignments (seed 004's mappings: share a device with a user, or take it back).
import { type FormEvent, useState } from 'react';
import type { AccessGrant, AdminStats, Device, DeviceList, User, UserList } from '../api/types.ts';
import { DevicePicker } from '../components/DevicePicker.tsx';
import { NodeCard } from '../components/NodeCard.tsx';
import { StorageCard } from '../components/StorageCard.tsx';
import { Badge, ErrorText, Modal } from '../components/ui.tsx';
import { formatBytes, formatTime, formatValue } from '../lib/format.ts';
import { useAction } from '../lib/use-action.ts';
import { useAsync } from '../lib/use-async.ts';
import { Link } from '../router.tsx';
import { useApp } from '../session.tsx';
import { MIN_PASSWORD, passwordProblem } from '../lib/password.ts';

const counts = (r: Record<string, number>) =>
  Object.entries(r)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join(' · ') || '—';

function StatsCard() {
  const { api } = useApp();
  const stats = useAsync(() => api.get<AdminStats>('/api/v1/admin/stats'), [api]);
  const s = stats.data;
  return (
    <div className="card">
      <div className="page-head">
        <h2>System</h2>
        <button type="button" onClick={stats.reload}>
          Refresh
        </button>
      </div>
      {s && (
        <dl className="kv" data-testid="admin-stats">
          <div>
            <dt>users</dt>
            <dd>{s.users}</dd>
          </div>
          <div>
            <dt>devices</dt>
            <dd>{s.devices}</dd>
          </div>
          <div>
            <dt>points stored</dt>
            <dd>{formatValue(s.points_stored)}</dd>
          </div>
          <div>
            <dt>disk ({s.storage.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'})</dt>
            <dd>
              {formatBytes(s.storage.bytes)}
              {s.storage.bytes_per_point !== null && <span className="muted"> · {formatValue(s.storage.bytes_per_point)} bytes per point</span>}
            </dd>
          </div>
          <div>
            <dt>ingest points/s (last minute)</dt>
            <dd>{formatValue(s.ingest_points_per_second)}</dd>
          </div>
          <div>
            <dt>devices by status</dt>
            <dd>{counts(s.devices_by_status)}</dd>
          </div>
          <div>
            <dt>devices by type</dt>
            <dd>{counts(s.devices_by_type)}</dd>
          </div>
          <div>
            <dt>open connections</dt>
            <dd>{counts(s.connections)}</dd>
          </div>
        </dl>
      )}
      <ErrorText error={stats.error} />
    </div>
  );
}

function UserDevices({ userId, username }: { userId: string; username: string }) {
  const { api } = useApp();
  const devices = useAsync(() => api.get<{ devices: DeviceList['devices']; total: number }>(`/api/v1/mappings/user/${encodeURIComponent(userId)}/devices?limit=100`), [api, userId]);
  return (
    <>
      <h3>Devices {username} can see</h3>
      <ErrorText error={devices.error} />
      {devices.data && devices.data.devices.length === 0 && <p className="muted">None.</p>}
      <ul className="events">
        {devices.data?.devices.map((d) => (
          <li key={d.id}>
            <Link to={`/devices/${encodeURIComponent(d.id)}`}>{d.name}</Link> <span className="muted small">{d.id}</span>
            {d.owner_id === userId && <span className="muted small"> · owner</span>}
          </li>
        ))}
      </ul>
    </>
  );
}

/** An admin sets a new password for a user; the server ends that user's sessions. */
function ResetPasswordDialog({ user, onClose, onDone }: { user: User; onClose: () => void; onDone: () => void }) {
  const { api } = useApp();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problem = passwordProblem(password);
    if (problem) return setError(new Error(problem));
    setBusy(true);
    try {
      await api.put(`/api/v1/users/${encodeURIComponent(user.id)}`, { password });
      onDone();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Modal title={`Reset the password of ${user.username}`} onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label>
          New password
          <input type="password" name="reset_password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <p className="muted small">
          At least {MIN_PASSWORD} characters. Every session of {user.username} ends; tell them the new password.
        </p>
        <ErrorText error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Reset password
          </button>
        </div>
      </form>
    </Modal>
  );
}

function UsersCard({ users, onChange }: { users: ReturnType<typeof useAsync<UserList>>; onChange: () => void }) {
  const { api, session } = useApp();
  const [form, setForm] = useState({ username: '', password: '', role: 'user' });
  const { error, act } = useAction(onChange);
  const [selected, setSelected] = useState<string>();
  const [resetting, setResetting] = useState<User>();
  const [notice, setNotice] = useState('');
  const list = users.data?.users ?? [];

  const create = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      await api.post('/api/v1/users', form);
      setForm({ username: '', password: '', role: 'user' });
    });
  };
  const chosen = list.find((u) => u.id === selected);

  return (
    <div className="card">
      <h2>Users</h2>
      <form className="inline wrap" onSubmit={create}>
        <input required placeholder="username" aria-label="New username" value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} />
        <input required type="password" minLength={8} placeholder="password" aria-label="New password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
        <select aria-label="Role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })}>
          <option value="user">user</option>
          <option value="admin">admin</option>
        </select>
        <button type="submit">Create user</button>
      </form>
      <ErrorText error={users.error ?? error} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {resetting && (
        <ResetPasswordDialog
          user={resetting}
          onClose={() => setResetting(undefined)}
          onDone={() => {
            setNotice(`The password of ${resetting.username} was reset; their sessions have ended.`);
            setResetting(undefined);
          }}
        />
      )}
      <div className="table-wrap">
        <table data-testid="users">
          <thead>
            <tr>
              <th>User</th>
              <th>Role</th>
              <th className="hide-narrow">Last login</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((u) => (
              <tr key={u.id}>
                <td>
                  <button type="button" className="link" onClick={() => setSelected(u.id)} aria-label={`Devices of ${u.username}`}>
                    {u.username}
                  </button>{' '}
                  {!u.is_active && <Badge tone="warn">inactive</Badge>}
                </td>
                <td>{u.role}</td>
                <td className="hide-narrow">{formatTime(u.last_login)}</td>
                <td className="row-actions user-actions">
                  {u.id !== session?.user.id && (
                    <>
                      <button type="button" onClick={() => void act(() => api.post(`/api/v1/users/${encodeURIComponent(u.id)}/${u.is_active ? 'deactivate' : 'activate'}`))}>
                        {u.is_active ? 'Deactivate' : 'Activate'}
                      </button>
                      <button type="button" onClick={() => (setNotice(''), setResetting(u))} aria-label={`Reset password of ${u.username}`}>
                        Reset password
                      </button>
                      <button
                        type="button"
                        className="danger"
                        onClick={() => window.confirm(`Delete ${u.username}? Devices they own go to you.`) && void act(() => api.del(`/api/v1/users/${encodeURIComponent(u.id)}?devices=transfer`))}
                      >
                        Delete
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {users.data && users.data.total > list.length && <p className="muted small">Showing {list.length} of {users.data.total} users.</p>}
      {chosen && <UserDevices userId={chosen.id} username={chosen.username} />}
    </div>
  );
}

/** Names of the devices in the assignments shown (a grant carries only the device id). */
function useDeviceNames(ids: string[]): Record<string, string> {
  const { api } = useApp();
  const key = [...new Set(ids)].sort().join(',');
  const names = useAsync(
    async () =>
      Object.fromEntries(
        await Promise.all(
          (key ? key.split(',') : []).map(async (id) => [id, await api.get<Device>(`/api/v1/devices/${encodeURIComponent(id)}`).then((d) => d.name, () => id)] as const),
        ),
      ),
    [api, key],
  );
  return names.data ?? {};
}

function AssignmentsCard({ users, version, onChange }: { users: UserList | undefined; version: number; onChange: () => void }) {
  const { api } = useApp();
  const mappings = useAsync(() => api.get<{ mappings: AccessGrant[]; total: number }>('/api/v1/mappings?limit=200'), [api, version]);
  const [form, setForm] = useState({ user_id: '', device_id: '', level: 'control' });
  const { error, act } = useAction(onChange);

  const assign = (e: FormEvent) => {
    e.preventDefault();
    void act(() => api.post('/api/v1/mappings/assign', form));
  };
  const list = mappings.data?.mappings ?? [];
  const names = useDeviceNames(list.map((m) => m.device_id));
  const deviceName = (id: string) => names[id] ?? id;

  return (
    <div className="card">
      <h2>Assignments</h2>
      <form className="inline wrap" onSubmit={assign} aria-label="Assign a device">
        <DevicePicker label="Assign device" hideLabel required value={form.device_id} onChange={(id) => setForm({ ...form, device_id: id })} />
        <select required aria-label="To user" value={form.user_id} onChange={(e) => setForm({ ...form, user_id: e.target.value })}>
          <option value="">user…</option>
          {users?.users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.username}
            </option>
          ))}
        </select>
        <select aria-label="Assignment level" value={form.level} onChange={(e) => setForm({ ...form, level: e.target.value })}>
          <option value="read">read</option>
          <option value="control">control</option>
        </select>
        <button type="submit">Assign</button>
      </form>
      <ErrorText error={mappings.error ?? error} />
      {list.length === 0 ? (
        <p className="muted">No device is assigned to another user.</p>
      ) : (
        <div className="table-wrap">
          <table data-testid="mappings">
            <thead>
              <tr>
                <th>Device</th>
                <th>User</th>
                <th>Level</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((m) => (
                <tr key={`${m.device_id} ${m.user_id}`}>
                  <td>
                    <Link to={`/devices/${encodeURIComponent(m.device_id)}`}>{deviceName(m.device_id)}</Link>
                  </td>
                  <td>{m.username}</td>
                  <td>{m.level}</td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="danger"
                      aria-label={`Unassign ${deviceName(m.device_id)} from ${m.username}`}
                      onClick={() => void act(() => api.del(`/api/v1/mappings/unassign/${encodeURIComponent(m.device_id)}?user_id=${encodeURIComponent(m.user_id)}`))}
                    >
                      Unassign
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function AdminPage() {
  const { api } = useApp();
  const [version, setVersion] = useState(0);
  const users = useAsync(() => api.get<UserList>('/api/v1/users?limit=200'), [api, version]);
  const changed = () => setVersion((n) => n + 1);
  return (
    <section>
      <h1>Administration</h1>
      <StatsCard />
      <StorageCard />
      <NodeCard />
      <div className="grid2">
        <UsersCard users={users} onChange={changed} />
        <AssignmentsCard users={users.data} version={version} onChange={changed} />
      </div>
    </section>
  );
}

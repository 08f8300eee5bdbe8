// Admin (issue 4 endpoints): system stats, users (create, deactivate, delete), and assignments.
import { type FormEvent, useState } from 'react';
import { isMissingEndpoint } from '../api/client.ts';
import type { User } from '../api/types.ts';
import { Badge, ErrorText, Unavailable } from '../components/ui.tsx';
import { formatTime, formatValue } from '../lib/format.ts';
import { useAsync } from '../lib/use-async.ts';
import { useApp } from '../session.tsx';

type Stats = Record<string, unknown>;

function StatsCard() {
  const { api } = useApp();
  const admin = useAsync(() => api.get<Stats>('/api/v1/admin/stats'), [api]);
  const basic = useAsync(() => api.get<Stats>('/api/v1/telemetry/status'), [api]);
  const stats = admin.data ?? basic.data;
  return (
    <div className="card">
      <h2>System</h2>
      {isMissingEndpoint(admin.error) && <p className="muted small">Detailed admin stats arrive with issue #4; showing the basic status.</p>}
      <dl className="kv">
        {stats &&
          Object.entries(stats).map(([k, v]) => (
            <div key={k}>
              <dt>{k.replaceAll('_', ' ')}</dt>
              <dd>{typeof v === 'object' && v !== null ? JSON.stringify(v) : formatValue(v)}</dd>
            </div>
          ))}
      </dl>
      <ErrorText error={isMissingEndpoint(admin.error) ? basic.error : admin.error} />
    </div>
  );
}

function UsersCard() {
  const { api } = useApp();
  const users = useAsync(() => api.get<{ users: User[] } | User[]>('/api/v1/users'), [api]);
  const [form, setForm] = useState({ username: '', password: '', role: 'user' });
  const [error, setError] = useState<unknown>();
  const [selected, setSelected] = useState<string>();
  const devices = useAsync(
    async () => (selected ? api.get<unknown>(`/api/v1/mappings/user/${encodeURIComponent(selected)}/devices`) : undefined),
    [api, selected],
  );
  if (isMissingEndpoint(users.error)) {
    return (
      <div className="card">
        <h2>Users</h2>
        <Unavailable what="User management" issue={4} />
      </div>
    );
  }
  const list = users.data ? (Array.isArray(users.data) ? users.data : users.data.users) : [];

  async function act(action: () => Promise<unknown>) {
    setError(undefined);
    try {
      await action();
      users.reload();
    } catch (err) {
      setError(err);
    }
  }
  const create = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      await api.post('/api/v1/users', form);
      setForm({ username: '', password: '', role: 'user' });
    });
  };

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
      <div className="table-wrap">
        <table>
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
                  <button type="button" className="link" onClick={() => setSelected(u.id)}>
                    {u.username}
                  </button>{' '}
                  {!u.is_active && <Badge tone="warn">inactive</Badge>}
                </td>
                <td>{u.role}</td>
                <td className="hide-narrow">{formatTime(u.last_login)}</td>
                <td className="row-actions">
                  <button type="button" onClick={() => void act(() => api.put(`/api/v1/users/${encodeURIComponent(u.id)}`, { is_active: !u.is_active }))}>
                    {u.is_active ? 'Deactivate' : 'Activate'}
                  </button>
                  <button
                    type="button"
                    className="danger"
                    onClick={() => window.confirm(`Delete ${u.username}? Their devices go to you.`) && void act(() => api.del(`/api/v1/users/${encodeURIComponent(u.id)}?devices=transfer`))}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {selected && (
        <>
          <h3>Devices assigned to {list.find((u) => u.id === selected)?.username}</h3>
          <ErrorText error={devices.error} />
          {devices.data !== undefined && <pre className="small">{JSON.stringify(devices.data, null, 2)}</pre>}
        </>
      )}
    </div>
  );
}

export function AdminPage() {
  return (
    <section>
      <h1>Administration</h1>
      <div className="grid2">
        <StatsCard />
        <UsersCard />
      </div>
    </section>
  );
}

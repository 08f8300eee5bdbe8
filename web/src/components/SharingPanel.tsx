// Sharing (owner or admin): grant another user read or control on this device, change the level,
// or revoke it.
import { type FormEvent, useState } from 'react';
import type { AccessGrant } from '../api/types.ts';
import { useAction } from '../lib/use-action.ts';
import { useAsync } from '../lib/use-async.ts';
import { useApp } from '../session.tsx';
import { ErrorText } from './ui.tsx';

type Level = AccessGrant['level'];

export function SharingPanel({ deviceId }: { deviceId: string }) {
  const { api } = useApp();
  const base = `/api/v1/devices/${encodeURIComponent(deviceId)}/access`;
  const grants = useAsync(() => api.get<AccessGrant[]>(base), [api, base]);
  const [username, setUsername] = useState('');
  const [level, setLevel] = useState<Level>('read');
  const { error, act } = useAction(grants.reload);

  const grant = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      await api.post(base, { username: username.trim(), level });
      setUsername('');
    });
  };

  const list = grants.data ?? [];
  return (
    <div className="card">
      <h2>Sharing</h2>
      <form className="inline wrap" onSubmit={grant}>
        <label className="inline">
          User
          <input required value={username} onChange={(e) => setUsername(e.target.value)} placeholder="username or email" name="share_username" />
        </label>
        <label className="inline">
          Access
          <select value={level} onChange={(e) => setLevel(e.target.value as Level)} name="share_level">
            <option value="read">read</option>
            <option value="control">control</option>
          </select>
        </label>
        <button type="submit">Share</button>
      </form>
      <ErrorText error={grants.error ?? error} />
      {list.length === 0 ? (
        <p className="muted">Not shared with anyone.</p>
      ) : (
        <ul className="events" data-testid="grants">
          {list.map((g) => (
            <li key={g.user_id} className="inline wrap">
              <strong>{g.username}</strong>
              <select
                aria-label={`Access of ${g.username}`}
                value={g.level}
                onChange={(e) => void act(() => api.put(`${base}/${encodeURIComponent(g.user_id)}`, { level: e.target.value }))}
              >
                <option value="read">read</option>
                <option value="control">control</option>
              </select>
              <button type="button" className="danger" onClick={() => void act(() => api.del(`${base}/${encodeURIComponent(g.user_id)}`))}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

// Sharing (issue 4 endpoints): grant another user read or control on this device, or revoke it.
import { type FormEvent, useState } from 'react';
import { isMissingEndpoint } from '../api/client.ts';
import type { AccessGrant } from '../api/types.ts';
import { useAsync } from '../lib/use-async.ts';
import { useApp } from '../session.tsx';
import { ErrorText, Unavailable } from './ui.tsx';

export function SharingPanel({ deviceId }: { deviceId: string }) {
  const { api } = useApp();
  const base = `/api/v1/devices/${encodeURIComponent(deviceId)}/access`;
  const grants = useAsync(() => api.get<{ grants: AccessGrant[] } | AccessGrant[]>(base), [api, base]);
  const [username, setUsername] = useState('');
  const [level, setLevel] = useState<'read' | 'control'>('read');
  const [error, setError] = useState<unknown>();

  if (isMissingEndpoint(grants.error)) {
    return (
      <div className="card">
        <h2>Sharing</h2>
        <Unavailable what="Sharing" issue={4} />
      </div>
    );
  }
  const list = grants.data ? (Array.isArray(grants.data) ? grants.data : grants.data.grants) : [];

  async function grant(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    try {
      await api.post(base, { username, level });
      setUsername('');
      grants.reload();
    } catch (err) {
      setError(err);
    }
  }

  async function revoke(userId: string) {
    setError(undefined);
    try {
      await api.del(`${base}/${encodeURIComponent(userId)}`);
      grants.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <div className="card">
      <h2>Sharing</h2>
      <form className="inline wrap" onSubmit={(e) => void grant(e)}>
        <label className="inline">
          User
          <input required value={username} onChange={(e) => setUsername(e.target.value)} placeholder="username" name="share_username" />
        </label>
        <label className="inline">
          Access
          <select value={level} onChange={(e) => setLevel(e.target.value as 'read' | 'control')} name="share_level">
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
        <ul className="events">
          {list.map((g) => (
            <li key={g.user_id}>
              {g.username ?? g.user_id} — {g.level}{' '}
              <button type="button" className="danger" onClick={() => void revoke(g.user_id)}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

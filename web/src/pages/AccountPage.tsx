// Your account: who you are, and changing your password. The server ends every session of yours
// when the password changes, so this page logs you in again with the new one right away.
import { type FormEvent, useState } from 'react';
import type { User } from '../api/types.ts';
import { ErrorText } from '../components/ui.tsx';
import { formatTime } from '../lib/format.ts';
import { useAsync } from '../lib/use-async.ts';
import { navigate, useLocation } from '../router.tsx';
import { useApp } from '../session.tsx';
import { MIN_PASSWORD, passwordProblem } from '../lib/password.ts';

/** The query a page gets after a password change, to say so (the page may have remounted). */
export const PASSWORD_CHANGED = 'password=changed';

export function AccountPage() {
  const { api, session } = useApp();
  const { query } = useLocation();
  const me = useAsync(() => api.get<User>('/api/v1/users/me'), [api]);
  const user = me.data ?? session?.user;
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function change(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    const problem = passwordProblem(next);
    if (problem) return setError(new Error(problem));
    if (next !== repeat) return setError(new Error('The two new passwords differ.'));
    const username = session?.user.username;
    setBusy(true);
    try {
      await api.put('/api/v1/users/me/password', { current_password: current, new_password: next });
    } catch (err) {
      setBusy(false);
      return setError(err);
    }
    // Every session ended with the change, this one too: log in again with the new password.
    try {
      if (!username) throw new Error('no username');
      await api.login(username, next);
      setCurrent('');
      setNext('');
      setRepeat('');
      setBusy(false);
      me.reload();
      navigate(`/account?${PASSWORD_CHANGED}`, true);
    } catch {
      navigate(`/?${PASSWORD_CHANGED}`, true);
      await api.logout();
    }
  }

  return (
    <section className="account">
      <h1>Account</h1>
      {query.toString() === PASSWORD_CHANGED && (
        <p className="notice" role="status">
          Your password was changed. You are logged in with the new one; every other session of yours has ended.
        </p>
      )}
      <div className="card">
        <h2>You</h2>
        <ErrorText error={me.error} />
        {user && (
          <dl data-testid="account">
            <dt>Username</dt>
            <dd>{user.username}</dd>
            <dt>Email</dt>
            <dd>{user.email ?? '—'}</dd>
            <dt>Role</dt>
            <dd>{user.role}</dd>
            {me.data && (
              <>
                <dt>Last login</dt>
                <dd>{formatTime(me.data.last_login)}</dd>
              </>
            )}
          </dl>
        )}
      </div>
      <div className="card">
        <h2>Change password</h2>
        <form className="form" onSubmit={(e) => void change(e)} aria-label="Change password">
          <label>
            Current password
            <input type="password" name="current_password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
          </label>
          <label>
            New password
            <input
              type="password"
              name="new_password"
              autoComplete="new-password"
              required
              aria-describedby="new-password-hint"
              value={next}
              onChange={(e) => setNext(e.target.value)}
            />
          </label>
          <span id="new-password-hint" className="muted small">
            At least {MIN_PASSWORD} characters. Changing it logs you out everywhere else.
          </span>
          <label>
            Repeat new password
            <input type="password" name="repeat_password" autoComplete="new-password" required value={repeat} onChange={(e) => setRepeat(e.target.value)} />
          </label>
          <ErrorText error={error} />
          <div>
            <button type="submit" className="primary" disabled={busy}>
              Change password
            </button>
          </div>
        </form>
      </div>
    </section>
  );
}

import { type FormEvent, useState } from 'react';
import { ErrorText } from '../components/ui.tsx';
import { useLocation } from '../router.tsx';
import { useApp } from '../session.tsx';

export function LoginPage() {
  const { api } = useApp();
  const { query } = useLocation();
  const passwordChanged = query.get('password') === 'changed';
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [email, setEmail] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (mode === 'register') await api.register(username, password, email || undefined);
      await api.login(username, password);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login" id="main">
      <form className="card login-card" onSubmit={(e) => void submit(e)} aria-label={mode === 'login' ? 'Log in' : 'Create account'}>
        <h1>Fluxgate</h1>
        <div className="tabs" role="tablist">
          <button type="button" role="tab" aria-selected={mode === 'login'} onClick={() => setMode('login')}>
            Log in
          </button>
          <button type="button" role="tab" aria-selected={mode === 'register'} onClick={() => setMode('register')}>
            Create account
          </button>
        </div>
        {passwordChanged && (
          <p className="notice" role="status">
            Your password was changed and every session ended: log in with the new password.
          </p>
        )}
        <label>
          Username{mode === 'login' ? ' or email' : ''}
          <input name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        {mode === 'register' && (
          <label>
            Email (optional)
            <input name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          </label>
        )}
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
            required
            minLength={mode === 'register' ? 8 : 1}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <ErrorText error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {mode === 'login' ? 'Log in' : 'Create account and log in'}
        </button>
      </form>
    </main>
  );
}

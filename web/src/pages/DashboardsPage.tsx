// Dashboards: your own and those shared with you (read-only); create one and open it.
import { type FormEvent, useState } from 'react';
import type { DashboardView } from '../../../src/contract/http/dashboards.ts';
import { ErrorText } from '../components/ui.tsx';
import { formatTime } from '../lib/format.ts';
import { useAsync } from '../lib/use-async.ts';
import { Link, navigate } from '../router.tsx';
import { useApp } from '../session.tsx';

export function DashboardsPage() {
  const { api, session } = useApp();
  const list = useAsync(() => api.get<{ dashboards: DashboardView[] }>('/api/v1/dashboards'), [api]);
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();

  async function create(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    try {
      const d = await api.post<DashboardView>('/api/v1/dashboards', { name, widgets: [] });
      navigate(`/dashboards/${encodeURIComponent(d.id)}?edit=1`);
    } catch (err) {
      setError(err);
    }
  }

  const dashboards = list.data?.dashboards ?? [];
  return (
    <section>
      <h1>Dashboards</h1>
      <form className="inline wrap card" onSubmit={(e) => void create(e)}>
        <label className="inline grow">
          New dashboard
          <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} placeholder="name, e.g. Heating" name="dashboard_name" />
        </label>
        <button type="submit" className="primary">
          Create
        </button>
      </form>
      <ErrorText error={list.error ?? error} />
      {dashboards.length === 0 && !list.loading ? (
        <p className="muted">No dashboards yet: create one, then add widgets to it.</p>
      ) : (
        <ul className="events" data-testid="dashboards">
          {dashboards.map((d) => (
            <li key={d.id}>
              <Link to={`/dashboards/${encodeURIComponent(d.id)}`}>{d.name}</Link>{' '}
              <span className="muted small">
                {d.widgets.length} {d.widgets.length === 1 ? 'widget' : 'widgets'} · {d.owner_id === session?.user.id ? 'yours' : 'shared with you, read-only'} · changed{' '}
                {formatTime(d.updated_at)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

// Admins: notifications that failed every attempt, newest first, each with its target (never a
// secret), attempts and last error, and a button that queues it again with fresh attempts.
import type { OutboxRow } from '../api/types.ts';
import { formatTime } from '../lib/format.ts';
import { useAction } from '../lib/use-action.ts';
import { useAsync } from '../lib/use-async.ts';
import { useApp } from '../session.tsx';
import { ErrorText } from './ui.tsx';

export function DeadLetters() {
  const { api } = useApp();
  const dead = useAsync(() => api.get<{ items: OutboxRow[]; total: number }>('/api/v1/notifications/dead-letters?limit=100'), [api]);
  const { error, act } = useAction(dead.reload);
  const items = dead.data?.items ?? [];
  return (
    <section className="card" aria-label="Dead letters">
      <h2>Dead letters</h2>
      <p className="muted small">Notifications that failed every attempt ({dead.data?.total ?? 0}). Retrying sends one again with the same idempotency key.</p>
      <ErrorText error={dead.error ?? error} />
      {dead.data && items.length === 0 && <p className="muted">None.</p>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>When</th>
                <th>Channel</th>
                <th>Target</th>
                <th>Event</th>
                <th>Attempts</th>
                <th>Last error</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {items.map((row) => (
                <tr key={row.id}>
                  <td className="nowrap">{formatTime(row.updated_at)}</td>
                  <td>{row.channel}</td>
                  <td>{row.target ?? 'broker'}</td>
                  <td>{row.event}</td>
                  <td>{row.attempts}</td>
                  <td className="small">{row.last_error}</td>
                  <td>
                    <button type="button" onClick={() => void act(() => api.post(`/api/v1/notifications/dead-letters/${encodeURIComponent(row.id)}/retry`))}>
                      Retry
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

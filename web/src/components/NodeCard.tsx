// The node that served this page, for operators running several: whether it is the scheduler
// leader (it alone runs command expiry, log retention and rule timers) and whether it exchanges live
// events with the other nodes. Read from /health?detailed=true, whose body is complete even when the
// node answers 503 (unhealthy), so it is fetched directly rather than through the API client.
import { useAsync } from '../lib/use-async.ts';
import { formatValue } from '../lib/format.ts';
import { ErrorText } from './ui.tsx';

interface NodeHealth {
  status: string;
  uptime_seconds: number;
  checks: {
    scheduler?: { leader: boolean; lock: string; job_runs: Record<string, number> };
    mqtt?: { mode?: string; cluster_events?: { connected: boolean; published: number; received: number; dropped: number } };
  };
}

async function nodeHealth(): Promise<NodeHealth> {
  const res = await fetch('/health?detailed=true');
  return (await res.json()) as NodeHealth;
}

const LOCKS: Record<string, string> = { 'single-node': 'single node (SQLite)', 'postgres-advisory-lock': 'PostgreSQL advisory lock' };

export function NodeCard() {
  const health = useAsync(nodeHealth, []);
  const h = health.data;
  const scheduler = h?.checks.scheduler;
  const events = h?.checks.mqtt?.cluster_events;
  return (
    <div className="card">
      <div className="page-head">
        <h2>This node</h2>
        <button type="button" onClick={health.reload}>
          Refresh
        </button>
      </div>
      {h && (
        <dl className="kv" data-testid="node-health">
          <div>
            <dt>status</dt>
            <dd>{h.status}</dd>
          </div>
          <div>
            <dt>uptime</dt>
            <dd>{formatValue(h.uptime_seconds)} s</dd>
          </div>
          <div>
            <dt>scheduler</dt>
            <dd>{scheduler ? `${scheduler.leader ? 'leader' : 'follower'} · ${LOCKS[scheduler.lock] ?? scheduler.lock}` : '—'}</dd>
          </div>
          <div>
            <dt>live events of other nodes</dt>
            <dd>
              {events
                ? `${events.connected ? 'connected' : 'disconnected'} · ${formatValue(events.published)} messages sent · ${formatValue(events.received)} received · ${formatValue(events.dropped)} dropped`
                : 'single node (no external broker)'}
            </dd>
          </div>
        </dl>
      )}
      <ErrorText error={health.error} />
    </div>
  );
}

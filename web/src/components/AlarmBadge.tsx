// The navigation's alarm badge: open critical and major alarms, fetched again after live alarm changes
// (it subscribes to the alarms of every device the user may read; a burst of changes refetches at
// most once a second), after a reconnection, and every BADGE_REFRESH_MS as a safety net.
import { useEffect } from 'react';
import type { AlarmCounts } from '../api/types.ts';
import { badgeCounts } from '../lib/alarms.ts';
import { useReloadOnResume } from '../lib/use-alarm-feed.ts';
import { useAsync } from '../lib/use-async.ts';
import { useCoalesced } from '../lib/use-coalesced.ts';
import { Link } from '../router.tsx';
import { useApp } from '../session.tsx';

export const BADGE_REFRESH_MS = 60_000;

export function AlarmBadge({ onClick }: { onClick?: () => void }) {
  const { api, stream } = useApp();
  const counts = useAsync(() => api.get<AlarmCounts>('/api/v1/alarms/counts'), [api]);
  const { reload } = counts;
  const reloadSoon = useCoalesced(reload, 1000);
  useEffect(() => stream.followAlarms(), [stream]);
  useEffect(() => stream.onAlarm(reloadSoon), [stream, reloadSoon]);
  useEffect(() => {
    const timer = setInterval(reload, BADGE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  useReloadOnResume(reload);
  const { urgent, critical, major } = badgeCounts(counts.data?.open);
  const label = `Open alarms: ${critical} critical, ${major} major (${counts.data?.total ?? 0} open in all)`;
  return (
    <Link to="/alarms" className={`alarm-badge${urgent ? (critical ? ' critical' : ' major') : ''}`} aria-label={label} title={label} data-testid="alarm-badge" onClick={onClick}>
      <span aria-hidden="true">⚠</span> <span className="alarm-badge-count">{urgent}</span>
    </Link>
  );
}

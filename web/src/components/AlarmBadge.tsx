// The navigation's alarm badge: open critical and major alarms, refreshed on every live alarm change.
import type { AlarmCounts } from '../api/types.ts';
import { badgeCounts } from '../lib/alarms.ts';
import { useAlarmFeed, useReloadOnResume } from '../lib/use-alarm-feed.ts';
import { useAsync } from '../lib/use-async.ts';
import { Link } from '../router.tsx';
import { useApp } from '../session.tsx';

export function AlarmBadge({ onClick }: { onClick?: () => void }) {
  const { api } = useApp();
  const counts = useAsync(() => api.get<AlarmCounts>('/api/v1/alarms/counts'), [api]);
  useAlarmFeed(counts.reload);
  useReloadOnResume(counts.reload);
  const { urgent, critical, major } = badgeCounts(counts.data?.open);
  const label = `Open alarms: ${critical} critical, ${major} major (${counts.data?.total ?? 0} open in all)`;
  return (
    <Link to="/alarms" className={`alarm-badge${urgent ? (critical ? ' critical' : ' major') : ''}`} aria-label={label} title={label} data-testid="alarm-badge" onClick={onClick}>
      <span aria-hidden="true">⚠</span> <span className="alarm-badge-count">{urgent}</span>
    </Link>
  );
}

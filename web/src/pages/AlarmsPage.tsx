// Alarms of every device the user may read: filtered by state, severity, device and time, live.
import { useState } from 'react';
import { AlarmList } from '../components/AlarmList.tsx';
import { DevicePicker } from '../components/DevicePicker.tsx';
import { ALARM_STATES, type AlarmFilters, DEFAULT_FILTERS, SEVERITIES, severityLabel } from '../lib/alarms.ts';
import { Link } from '../router.tsx';

const SINCE = [
  ['', 'Any time'],
  ['-1h', 'Last hour'],
  ['-24h', 'Last 24 hours'],
  ['-7d', 'Last 7 days'],
  ['-30d', 'Last 30 days'],
] as const;

export function AlarmsPage() {
  const [filters, setFilters] = useState<AlarmFilters>(DEFAULT_FILTERS);
  const set = (part: Partial<AlarmFilters>) => setFilters((f) => ({ ...f, ...part }));
  return (
    <section>
      <div className="page-head">
        <h1>Alarms</h1>
        <Link to="/rules">Rules</Link>
      </div>
      <form className="filters" aria-label="Alarm filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          State
          <select value={filters.state} onChange={(e) => set({ state: e.target.value })}>
            <option value="open">Open</option>
            {ALARM_STATES.map((s) => (
              <option key={s} value={s}>
                {s[0]!.toUpperCase() + s.slice(1)}
              </option>
            ))}
            <option value="all">All</option>
          </select>
        </label>
        <label>
          Severity
          <select value={filters.severity} onChange={(e) => set({ severity: e.target.value })}>
            <option value="">All</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {severityLabel(s)}
              </option>
            ))}
          </select>
        </label>
        <DevicePicker label="Device" value={filters.deviceId} onChange={(deviceId) => set({ deviceId })} allLabel="All devices" />
        <label>
          Raised
          <select value={filters.since} onChange={(e) => set({ since: e.target.value })}>
            {SINCE.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
      </form>
      <AlarmList filters={filters} />
    </section>
  );
}

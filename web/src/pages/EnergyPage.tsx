// Energy (seed 004): hourly consumption of a day and daily consumption of a range, in the user's
// time zone, for one device or all the user can see.
import { useState } from 'react';
import type { EnergyResponse } from '../api/types.ts';
import { BarChart } from '../components/BarChart.tsx';
import { DevicePicker } from '../components/DevicePicker.tsx';
import { ErrorText } from '../components/ui.tsx';
import { formatValue, localDate, userTimeZone } from '../lib/format.ts';
import { useAsync } from '../lib/use-async.ts';
import { useApp } from '../session.tsx';

export function EnergyPage() {
  const { api } = useApp();
  const tz = userTimeZone();
  const today = localDate();
  const [device, setDevice] = useState('');
  const [day, setDay] = useState(today);
  const [from, setFrom] = useState(localDate(new Date(Date.now() - 13 * 86_400_000)));
  const [to, setTo] = useState(today);
  const dev = device ? `&device_id=${encodeURIComponent(device)}` : '';
  const hourly = useAsync(() => api.get<EnergyResponse>(`/api/v1/energy/hourly?date=${day}&tz=${encodeURIComponent(tz)}${dev}`), [api, day, tz, dev]);
  const daily = useAsync(() => api.get<EnergyResponse>(`/api/v1/energy/daily?start=${from}&end=${to}&tz=${encodeURIComponent(tz)}${dev}`), [api, from, to, tz, dev]);

  return (
    <section>
      <h1>Energy</h1>
      <div className="filters">
        <DevicePicker label="Device" value={device} onChange={setDevice} allLabel="all my devices" />
        <p className="muted small">Times in {tz}</p>
      </div>
      <div className="card">
        <div className="page-head">
          <h2>
            Per hour <span className="muted">{hourly.data ? `${formatValue(hourly.data.total)} kWh` : ''}</span>
          </h2>
          <label className="inline">
            Day
            <input type="date" value={day} max={today} onChange={(e) => e.target.value && setDay(e.target.value)} />
          </label>
        </div>
        <ErrorText error={hourly.error} />
        {hourly.data && <BarChart title="Energy per hour" unit="kWh" bars={hourly.data.buckets.map((b) => ({ label: b.label, short: /T(\d\d:\d\d)/.exec(b.label)?.[1] ?? b.label, value: b.value }))} />}
        {hourly.data?.total === 0 && <p className="muted">No consumption recorded on this day.</p>}
      </div>
      <div className="card">
        <div className="page-head">
          <h2>
            Per day <span className="muted">{daily.data ? `${formatValue(daily.data.total)} kWh` : ''}</span>
          </h2>
          <div className="inline">
            <label className="inline">
              From
              <input type="date" value={from} max={to} onChange={(e) => e.target.value && setFrom(e.target.value)} />
            </label>
            <label className="inline">
              To
              <input type="date" value={to} min={from} max={today} onChange={(e) => e.target.value && setTo(e.target.value)} />
            </label>
          </div>
        </div>
        <ErrorText error={daily.error} />
        {daily.data && <BarChart title="Energy per day" unit="kWh" bars={daily.data.buckets.map((b) => ({ label: b.label, short: b.label.slice(5), value: b.value }))} />}
        {daily.data?.total === 0 && <p className="muted">No consumption recorded in this range.</p>}
      </div>
    </section>
  );
}

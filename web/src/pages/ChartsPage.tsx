// Saved charts (seed 003): build a chart from several devices and fields, save, reopen, delete.
// An open chart follows its devices live over the stream.
import { type FormEvent, useEffect, useState } from 'react';
import type { SavedChart, SeriesResponse } from '../api/types.ts';
import { DevicePicker } from '../components/DevicePicker.tsx';
import { LineChart, seriesColor } from '../components/LineChart.tsx';
import { dropEmpty } from '../components/LiveCharts.tsx';
import { ErrorText, Modal } from '../components/ui.tsx';
import { RANGES, rangeMs } from '../lib/format.ts';
import { useAsync } from '../lib/use-async.ts';
import { Link, navigate } from '../router.tsx';
import { useApp } from '../session.tsx';
import { align } from '../lib/align.ts';

type SeriesDraft = { device_id: string; field: string; label: string | null };


function OpenChart({ chart }: { chart: SavedChart }) {
  const { api, stream } = useApp();
  const [data, setData] = useState<Array<{ ts: number[]; values: Array<number | null> }>>();
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    const end = Date.now() + 1;
    const start = end - rangeMs(chart.time_range);
    const width = Math.min(4000, Math.max(200, window.innerWidth));
    const devices = [...new Set(chart.series.map((s) => s.device_id))];
    Promise.all(
      devices.map((id) => {
        const fields = chart.series.filter((s) => s.device_id === id).map((s) => s.field);
        return api.get<SeriesResponse>(`/api/v1/telemetry/${encodeURIComponent(id)}/series?start_time=${start}&end_time=${end}&max_points=${width}&fields=${encodeURIComponent(fields.join(','))}`);
      }),
    ).then(
      (responses) => {
        if (!live) return;
        setData(
          chart.series.map((s) => {
            const found = responses[devices.indexOf(s.device_id)]?.fields.find((x) => x.field === s.field);
            const f = found && dropEmpty(found);
            return { ts: f?.ts ?? [], values: (f?.values ?? []).map((v) => (typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : null)) };
          }),
        );
      },
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [api, chart, tick]);

  useEffect(() => {
    const stops = [...new Set(chart.series.map((s) => s.device_id))].map((id) =>
      stream.follow(id, (m) => {
        if (m.type !== 'points') return;
        setData((old) =>
          old?.map((col, i) => {
            const s = chart.series[i]!;
            if (s.device_id !== id) return col;
            const pts = m.points.filter((p) => p.field === s.field && (col.ts.length === 0 || p.ts > col.ts[col.ts.length - 1]!));
            if (pts.length === 0) return col;
            return { ts: [...col.ts, ...pts.map((p) => p.ts)], values: [...col.values, ...pts.map((p) => (typeof p.value === 'number' ? p.value : Number(p.value === true)))] };
          }),
        );
      }),
    );
    const resume = stream.onResume(() => setTick((n) => n + 1));
    return () => {
      for (const stop of stops) stop();
      resume();
    };
  }, [stream, chart]);

  return (
    <div className="card">
      <h2>{chart.name}</h2>
      <ErrorText error={error} />
      {data && (
        <LineChart
          title={chart.name}
          height={300}
          data={align(data)}
          series={chart.series.map((s, i) => ({ label: s.label ?? `${s.device_id} · ${s.field}`, color: seriesColor(i), spanGaps: true }))}
        />
      )}
    </div>
  );
}

function ChartBuilder({ onSaved, onCancel }: { onSaved: (c: SavedChart) => void; onCancel: () => void }) {
  const { api } = useApp();
  const [name, setName] = useState('');
  const [range, setRange] = useState('24h');
  const [series, setSeries] = useState<SeriesDraft[]>([]);
  const [device, setDevice] = useState('');
  const fields = useAsync(
    async () => (device ? Object.keys((await api.get<{ values: Record<string, unknown> }>(`/api/v1/telemetry/${encodeURIComponent(device)}/latest`)).values) : []),
    [api, device],
  );
  const [field, setField] = useState('');
  const [error, setError] = useState<unknown>();

  async function save(e: FormEvent) {
    e.preventDefault();
    try {
      onSaved(await api.post<SavedChart>('/api/v1/charts', { name, time_range: range, series }));
    } catch (err) {
      setError(err);
    }
  }

  return (
    <Modal title="New chart" onClose={onCancel}>
      <form className="form" onSubmit={(e) => void save(e)}>
        <label>
          Name
          <input required value={name} onChange={(e) => setName(e.target.value)} name="chart_name" />
        </label>
        <label>
          Time range
          <select value={range} onChange={(e) => setRange(e.target.value)}>
            {RANGES.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>Series</legend>
          <ul className="events">
            {series.map((s, i) => (
              <li key={`${s.device_id}:${s.field}`}>
                {s.device_id} · {s.field}{' '}
                <button type="button" onClick={() => setSeries(series.filter((_, j) => j !== i))} aria-label={`Remove ${s.device_id} ${s.field}`}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <div className="inline wrap">
            <DevicePicker
              label="Device"
              hideLabel
              value={device}
              onChange={(id) => {
                setDevice(id);
                setField('');
              }}
            />
            <select value={field} onChange={(e) => setField(e.target.value)} aria-label="Field" disabled={!device}>
              <option value="">field…</option>
              {fields.data?.map((f) => (
                <option key={f}>{f}</option>
              ))}
            </select>
            <button
              type="button"
              disabled={!device || !field || series.some((s) => s.device_id === device && s.field === field)}
              onClick={() => setSeries([...series, { device_id: device, field, label: null }])}
            >
              Add series
            </button>
          </div>
        </fieldset>
        <ErrorText error={error} />
        <div className="actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={series.length === 0}>
            Save chart
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function ChartsPage({ openId }: { openId?: string }) {
  const { api } = useApp();
  const charts = useAsync(() => api.get<{ charts: SavedChart[] }>('/api/v1/charts'), [api]);
  const [building, setBuilding] = useState(false);
  const [error, setError] = useState<unknown>();
  const open = charts.data?.charts.find((c) => c.id === openId);

  async function remove(c: SavedChart) {
    if (!window.confirm(`Delete the chart "${c.name}"?`)) return;
    try {
      await api.del(`/api/v1/charts/${encodeURIComponent(c.id)}`);
      if (openId === c.id) navigate('/charts');
      charts.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section>
      <div className="page-head">
        <h1>Saved charts</h1>
        <button type="button" className="primary" onClick={() => setBuilding(true)}>
          New chart
        </button>
      </div>
      <ErrorText error={charts.error ?? error} />
      <ul className="chart-list">
        {charts.data?.charts.map((c) => (
          <li key={c.id} className={c.id === openId ? 'current' : ''}>
            <Link to={`/charts/${encodeURIComponent(c.id)}`}>{c.name}</Link>
            <span className="muted small">
              {' '}
              {c.series.length} series · {c.time_range}
            </span>{' '}
            <button type="button" className="danger" onClick={() => void remove(c)} aria-label={`Delete chart ${c.name}`}>
              Delete
            </button>
          </li>
        ))}
      </ul>
      {charts.data?.charts.length === 0 && <p className="muted">No saved charts yet.</p>}
      {openId && charts.data && !open && <p className="error">That chart does not exist (any more).</p>}
      {open && <OpenChart chart={open} />}
      {building && (
        <ChartBuilder
          onCancel={() => setBuilding(false)}
          onSaved={(c) => {
            setBuilding(false);
            charts.reload();
            navigate(`/charts/${encodeURIComponent(c.id)}`);
          }}
        />
      )}
    </section>
  );
}

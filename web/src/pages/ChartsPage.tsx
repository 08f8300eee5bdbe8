// Saved charts (the Smart Home IoT Data Service's charts): build a chart from several devices and
// fields, save, reopen, delete. The same charts can be placed on dashboards as "Saved chart" widgets.
import { useState } from 'react';
import type { SavedChart } from '../api/types.ts';
import { ChartBuilder } from '../components/ChartBuilder.tsx';
import { ErrorText } from '../components/ui.tsx';
import { LineWidget, type ShownWidget } from '../components/widgets/Widgets.tsx';
import { useAsync } from '../lib/use-async.ts';
import { Link, navigate } from '../router.tsx';
import { useApp } from '../session.tsx';

/** An open chart: its series as a line widget (units per axis, live over the stream). */
function OpenChart({ chart }: { chart: SavedChart }) {
  const w: ShownWidget = {
    id: chart.id,
    kind: 'chart',
    title: chart.name,
    device_ids: [...new Set(chart.series.map((s) => s.device_id))],
    fields: [],
    range: chart.time_range,
    w: 12,
    h: 2,
    chart_id: chart.id,
    series: chart.series,
  };
  return (
    <div className="card">
      <h2>{chart.name}</h2>
      <LineWidget w={w} height={300} />
    </div>
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
      <p className="muted small">
        A saved chart can also be placed on a <Link to="/dashboards">dashboard</Link> as a &quot;Saved chart&quot; widget.
      </p>
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

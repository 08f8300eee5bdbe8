// One dashboard: its widgets on a 12-column grid, live. The owner edits it (add, resize, reorder,
// delete widgets; share it read-only) and saves it on the server; people it is shared with view it,
// each seeing only the devices they may read.
import { type FormEvent, useEffect, useState } from 'react';
import type { SavedChart } from '../api/types.ts';
import { GRID_COLUMNS, WIDGET_KINDS, type DashboardView, type Widget, type WidgetKind } from '../../../src/contract/http/dashboards.ts';
import { DevicePicker } from '../components/DevicePicker.tsx';
import { ErrorText, RangeOptions } from '../components/ui.tsx';
import { ChartBuilder } from '../components/ChartBuilder.tsx';
import { type ShownWidget, WidgetBody } from '../components/widgets/Widgets.tsx';
import { useAsync } from '../lib/use-async.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { useApp } from '../session.tsx';

const KIND_LABELS: Record<WidgetKind, string> = {
  value: 'Value',
  gauge: 'Gauge',
  line: 'Line chart',
  bar: 'Energy bars',
  table: 'Latest values table',
  timeline: 'State timeline',
  thermostat: 'Thermostat',
  chart: 'Saved chart',
};
const WIDTHS = [3, 4, 6, 8, 12];
type Editable = ShownWidget;

const newId = () => `w${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const stripView = (w: DashboardView['widgets'][number]): Editable => {
  const { hidden_devices: _hidden, ...rest } = w;
  return rest;
};

function AddWidget({ onAdd }: { onAdd: (w: Editable) => void }) {
  const [kind, setKind] = useState<WidgetKind>('value');
  const [device, setDevice] = useState('');
  const [devices, setDevices] = useState<string[]>([]);
  const [fields, setFields] = useState('');
  const [title, setTitle] = useState('');
  const [range, setRange] = useState<Widget['range']>('24h');
  const [width, setWidth] = useState(4);
  const [chartId, setChartId] = useState('');
  const [building, setBuilding] = useState(false);
  const { api } = useApp();
  const charts = useAsync(() => (kind === 'chart' ? api.get<{ charts: SavedChart[] }>('/api/v1/charts') : Promise.resolve({ charts: [] })), [api, kind]);
  const chosen = [...new Set([...devices, ...(device ? [device] : [])])];
  const chart = charts.data?.charts.find((c) => c.id === chartId);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (kind === 'chart') {
      if (!chart) return;
      const deviceIds = [...new Set(chart.series.map((x) => x.device_id))];
      onAdd({ id: newId(), kind, title: title || chart.name, device_ids: deviceIds, fields: [], range: chart.time_range, w: Math.max(width, 6), h: 2, chart_id: chart.id, series: chart.series });
      setChartId('');
      setTitle('');
      return;
    }
    if (chosen.length === 0) return;
    const list = fields.split(',').map((f) => f.trim()).filter(Boolean);
    onAdd({ id: newId(), kind, title, device_ids: chosen, fields: list, range, w: width, h: kind === 'line' || kind === 'table' || kind === 'bar' ? 2 : 1 });
    setDevices([]);
    setDevice('');
    setFields('');
    setTitle('');
  };
  return (
    <>
      <form className="card add-widget" onSubmit={submit} aria-label="Add a widget">
        <h2>Add a widget</h2>
        <div className="filters">
          <label>
            Kind
            <select value={kind} onChange={(e) => setKind(e.target.value as WidgetKind)} name="widget_kind">
              {WIDGET_KINDS.map((k) => (
                <option key={k} value={k}>
                  {KIND_LABELS[k]}
                </option>
              ))}
            </select>
          </label>
          {kind === 'chart' ? (
            <>
              <label>
                Chart
                <select value={chartId} onChange={(e) => setChartId(e.target.value)} name="widget_chart">
                  <option value="">choose a saved chart…</option>
                  {charts.data?.charts.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name} ({c.series.length} series)
                    </option>
                  ))}
                </select>
              </label>
              <button type="button" onClick={() => setBuilding(true)}>
                New chart…
              </button>
            </>
          ) : (
            <>
              <DevicePicker label="Widget device" value={device} onChange={setDevice} />
              <button type="button" disabled={!device} onClick={() => (setDevices(chosen), setDevice(''))}>
                Add another device
              </button>
              <label>
                Fields
                <input value={fields} onChange={(e) => setFields(e.target.value)} placeholder="empty: the main fields" name="widget_fields" />
              </label>
            </>
          )}
          <label>
            Title
            <input value={title} onChange={(e) => setTitle(e.target.value)} maxLength={100} name="widget_title" />
          </label>
          <label hidden={kind === 'chart'}>
            Range
            <select value={range} onChange={(e) => setRange(e.target.value as Widget['range'])} name="widget_range">
              <RangeOptions />
            </select>
          </label>
          <label>
            Width
            <select value={width} onChange={(e) => setWidth(Number(e.target.value))} name="widget_width">
              {WIDTHS.map((n) => (
                <option key={n} value={n}>
                  {n} of {GRID_COLUMNS}
                </option>
              ))}
            </select>
          </label>
        </div>
        {kind !== 'chart' && chosen.length > 0 && <p className="muted small">Devices: {chosen.join(', ')}</p>}
        {kind === 'chart' && charts.data?.charts.length === 0 && <p className="muted small">No saved charts yet: make one with “New chart…”.</p>}
        <button type="submit" className="primary" disabled={kind === 'chart' ? !chart : chosen.length === 0}>
          Add widget
        </button>
      </form>
      {building && (
        <ChartBuilder
          onCancel={() => setBuilding(false)}
          onSaved={(c) => {
            setBuilding(false);
            charts.reload();
            setChartId(c.id);
          }}
        />
      )}
    </>
  );
}

function WidgetTools({ w, index, count, onChange, onMove, onRemove }: { w: Editable; index: number; count: number; onChange: (w: Editable) => void; onMove: (to: number) => void; onRemove: () => void }) {
  const name = w.title || KIND_LABELS[w.kind];
  return (
    <div className="widget-tools" role="group" aria-label={`Arrange ${name}`}>
      <select aria-label={`Width of ${name}`} value={w.w} onChange={(e) => onChange({ ...w, w: Number(e.target.value) })}>
        {WIDTHS.map((n) => (
          <option key={n} value={n}>
            {n}/{GRID_COLUMNS}
          </option>
        ))}
      </select>
      <select aria-label={`Height of ${name}`} value={w.h} onChange={(e) => onChange({ ...w, h: Number(e.target.value) })}>
        {[1, 2, 3, 4].map((n) => (
          <option key={n} value={n}>
            {n} {n === 1 ? 'row' : 'rows'}
          </option>
        ))}
      </select>
      <button type="button" disabled={index === 0} onClick={() => onMove(index - 1)} aria-label={`Move ${name} earlier`}>
        ←
      </button>
      <button type="button" disabled={index === count - 1} onClick={() => onMove(index + 1)} aria-label={`Move ${name} later`}>
        →
      </button>
      <button type="button" className="danger" onClick={onRemove} aria-label={`Delete ${name}`}>
        Delete
      </button>
    </div>
  );
}

export function DashboardPage({ id }: { id: string }) {
  const { api } = useApp();
  const { query } = useLocation();
  const dash = useAsync(() => api.get<DashboardView>(`/api/v1/dashboards/${encodeURIComponent(id)}`), [api, id]);
  const [editing, setEditing] = useState(query.get('edit') === '1');
  const [widgets, setWidgets] = useState<Editable[]>([]);
  const [sharedWith, setSharedWith] = useState('');
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  const d = dash.data;

  useEffect(() => {
    if (!d) return;
    setWidgets(d.widgets.map(stripView));
    setSharedWith(d.shared_with.join(', '));
  }, [d]);

  const change = (next: Editable[]) => {
    setWidgets(next);
    setSaved(false);
  };
  const move = (from: number, to: number) => {
    const next = [...widgets];
    const [w] = next.splice(from, 1);
    next.splice(to, 0, w!);
    change(next);
  };

  async function save() {
    if (!d) return;
    setError(undefined);
    try {
      const shared = sharedWith.split(',').map((s) => s.trim()).filter(Boolean);
      // A widget whose every device is gone (deleted, or no longer yours to read) cannot be saved: drop it.
      const kept = widgets.filter((w) => w.device_ids.length > 0).map(({ series: _series, ...w }) => w);
      await api.put(`/api/v1/dashboards/${encodeURIComponent(id)}`, { name: d.name, widgets: kept, shared_with: shared });
      setSaved(true);
      dash.reload();
    } catch (err) {
      setError(err);
    }
  }

  async function remove() {
    if (!window.confirm(`Delete the dashboard ${d?.name ?? id}?`)) return;
    try {
      await api.del(`/api/v1/dashboards/${encodeURIComponent(id)}`);
      navigate('/dashboards');
    } catch (err) {
      setError(err);
    }
  }

  if (dash.error) {
    return (
      <section>
        <h1>Dashboard</h1>
        <ErrorText error={dash.error} />
        <Link to="/dashboards">Back to dashboards</Link>
      </section>
    );
  }
  const shown = editing ? widgets : (d?.widgets ?? []);
  return (
    <section>
      <p className="crumbs">
        <Link to="/dashboards">Dashboards</Link> / {d?.name ?? id}
      </p>
      <div className="page-head">
        <h1>{d?.name ?? 'Dashboard'}</h1>
        {d?.can_edit ? (
          <div className="inline wrap">
            {editing ? (
              <>
                <button type="button" className="primary" onClick={() => void save()}>
                  Save
                </button>
                <button type="button" onClick={() => (setEditing(false), setWidgets(d.widgets.map(stripView)))}>
                  Done
                </button>
              </>
            ) : (
              <button type="button" onClick={() => setEditing(true)}>
                Edit
              </button>
            )}
            <button type="button" className="danger" onClick={() => void remove()}>
              Delete
            </button>
          </div>
        ) : (
          d && <span className="muted">shared with you, read-only</span>
        )}
      </div>
      <ErrorText error={error} />
      {saved && <p className="muted" role="status">Saved.</p>}
      {editing && d?.can_edit && (
        <>
          <label className="inline card">
            Share read-only with (usernames, comma-separated)
            <input value={sharedWith} onChange={(e) => (setSharedWith(e.target.value), setSaved(false))} name="shared_with" className="grow" />
          </label>
          <AddWidget onAdd={(w) => change([...widgets, w])} />
        </>
      )}
      {shown.length === 0 && d && <p className="muted">No widgets yet{d.can_edit ? ': edit the dashboard to add some.' : '.'}</p>}
      <div className="dashboard-grid" data-testid="dashboard-grid">
        {shown.map((w, i) => (
          <article key={w.id} className={`card widget widget-${w.kind}`} style={{ gridColumn: `span ${w.w}`, gridRow: `span ${w.h}` }} data-widget={w.kind} aria-label={w.title || KIND_LABELS[w.kind]}>
            <h2 className="widget-title">{w.title || KIND_LABELS[w.kind]}</h2>
            {'hidden_devices' in w && (w as DashboardView['widgets'][number]).hidden_devices > 0 && (
              <p className="muted small">{(w as DashboardView['widgets'][number]).hidden_devices} device(s) not shown: you may not read them.</p>
            )}
            {editing && <WidgetTools w={w} index={i} count={shown.length} onChange={(next) => change(widgets.map((x) => (x.id === w.id ? next : x)))} onMove={(to) => move(i, to)} onRemove={() => change(widgets.filter((x) => x.id !== w.id))} />}
            <WidgetBody w={w} />
          </article>
        ))}
      </div>
    </section>
  );
}

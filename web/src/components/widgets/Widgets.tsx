// The widget kinds of a dashboard. Each reads the devices it names (those the viewer may read), shows
// values with their profile's units and labels, and stays live over the stream.
import { type FormEvent, useEffect, useState } from 'react';
import type { DashboardView, Widget } from '../../../../src/contract/http/dashboards.ts';
import type { DeviceProfile, EnergyResponse, SeriesResponse } from '../../api/types.ts';
import { align } from '../../lib/align.ts';
import { localDate, rangeMs, userTimeZone } from '../../lib/format.ts';
import { fieldSpec, fieldTitle, formatReading } from '../../lib/profile.ts';
import { useApp } from '../../session.tsx';
import { BarChart } from '../BarChart.tsx';
import { LineChart, seriesColor } from '../LineChart.tsx';
import { StateTimeline } from '../StateTimeline.tsx';
import { ErrorText } from '../ui.tsx';
import { type Latest, useLatest, useProfiles, widgetFields } from './use-latest.ts';

type Profiles = Record<string, DeviceProfile | undefined>;
const profileOf = (profiles: Profiles, id: string) => profiles[id]?.profile ?? undefined;
const sentFields = (latest: Latest, id: string) => Object.keys(latest[id] ?? {});

function ValueWidget({ w }: { w: Widget }) {
  const latest = useLatest(w.device_ids);
  const profiles = useProfiles(w.device_ids);
  return (
    <div className="widget-values">
      {w.device_ids.map((id) =>
        widgetFields(w.fields, profiles[id], sentFields(latest, id)).map((f) => {
          const spec = fieldSpec(profileOf(profiles, id), f);
          return (
            <div key={`${id}:${f}`} className="widget-value" data-testid={`widget-value-${id}-${f}`}>
              <div className="stat-value">{formatReading(latest[id]?.[f]?.value, spec)}</div>
              <div className="stat-label">
                {spec?.label ?? f} {w.device_ids.length > 1 && <span className="muted small">{id}</span>}
              </div>
            </div>
          );
        }),
      )}
    </div>
  );
}

function GaugeWidget({ w }: { w: Widget }) {
  const id = w.device_ids[0]!;
  const latest = useLatest([id]);
  const profiles = useProfiles([id]);
  const field = widgetFields(w.fields, profiles[id], sentFields(latest, id))[0];
  const spec = field ? fieldSpec(profileOf(profiles, id), field) : undefined;
  const value = field ? latest[id]?.[field]?.value : undefined;
  const min = spec?.min ?? 0;
  const max = spec?.max ?? 100;
  const share = typeof value === 'number' ? Math.min(1, Math.max(0, (value - min) / (max - min || 1))) : 0;
  // A half circle from the left (min) to the right (max); the arc's end follows the value.
  const angle = Math.PI * (1 - share);
  const x = 50 + 40 * Math.cos(angle);
  const y = 50 - 40 * Math.sin(angle);
  return (
    <figure className="gauge" aria-label={`${spec?.label ?? field ?? ''} gauge`}>
      <svg viewBox="0 0 100 60" role="img" aria-label={`${formatReading(value, spec)} of ${min}–${max}${spec?.unit ? ` ${spec.unit}` : ''}`}>
        <path d="M 10 50 A 40 40 0 0 1 90 50" className="gauge-track" />
        {share > 0 && <path d={`M 10 50 A 40 40 0 0 1 ${x.toFixed(2)} ${y.toFixed(2)}`} className="gauge-fill" />}
      </svg>
      <figcaption>
        <span className="stat-value" data-testid={`widget-gauge-${id}`}>{formatReading(value, spec)}</span>
        <span className="muted small">
          {spec?.label ?? field} · {min}–{max} {spec?.unit ?? ''}
        </span>
      </figcaption>
    </figure>
  );
}

function TableWidget({ w }: { w: Widget }) {
  const latest = useLatest(w.device_ids);
  const profiles = useProfiles(w.device_ids);
  const columns = [...new Set(w.device_ids.flatMap((id) => widgetFields(w.fields, profiles[id], sentFields(latest, id))))];
  const title = (f: string) => fieldTitle(fieldSpec(profileOf(profiles, w.device_ids.find((id) => fieldSpec(profileOf(profiles, id), f)) ?? ''), f), f);
  return (
    <div className="table-wrap">
      <table className="widget-table">
        <thead>
          <tr>
            <th>Device</th>
            {columns.map((f) => (
              <th key={f}>{title(f)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {w.device_ids.map((id) => (
            <tr key={id}>
              <td>{id}</td>
              {columns.map((f) => (
                <td key={f}>{formatReading(latest[id]?.[f]?.value, fieldSpec(profileOf(profiles, id), f))}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type Column = SeriesResponse['fields'][number];
type ChartSeries = NonNullable<DashboardView['widgets'][number]['series']>;
/** A widget as shown: a saved chart's widget also carries the chart's series (device · field pairs). */
export type ShownWidget = Widget & { series?: ChartSeries | undefined };

/** A saved chart's fields of one device; undefined: the widget's fields (all of them when empty). */
const chartFields = (w: ShownWidget, id: string) => w.series?.filter((x) => x.device_id === id).map((x) => x.field);

/** The series of each device's fields over the widget's range; fetched again when its devices send (at most every 5 s). */
function useSeries(w: ShownWidget): { columns: Array<{ id: string; f: Column; label?: string | null }>; error: unknown } {
  const { api, stream } = useApp();
  const [columns, setColumns] = useState<Array<{ id: string; f: Column }>>([]);
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  const key = `${w.device_ids.join(',')}|${w.fields.join(',')}|${w.range}|${JSON.stringify(w.series ?? null)}`;
  useEffect(() => {
    let live = true;
    const end = Date.now() + 1;
    const start = end - rangeMs(w.range);
    Promise.all(
      w.device_ids.map(async (id) => {
        const wanted = chartFields(w, id) ?? w.fields;
        const fields = wanted.length ? `&fields=${encodeURIComponent(wanted.join(','))}` : '';
        const r = await api.get<SeriesResponse>(`/api/v1/telemetry/${encodeURIComponent(id)}/series?start_time=${start}&end_time=${end}&max_points=600${fields}`);
        return r.fields.map((f) => ({ id, f }));
      }),
    ).then(
      (rows) => {
        if (!live) return;
        const all = rows.flat();
        // A saved chart draws its series in its own order, with its own labels.
        const ordered = w.series
          ? w.series.flatMap((x) => all.filter((c) => c.id === x.device_id && c.f.field === x.field).map((c) => ({ ...c, label: x.label })))
          : all;
        setColumns(ordered);
        setError(undefined);
      },
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [api, key, tick]);
  useEffect(() => {
    let last = 0;
    const stops = w.device_ids.map((id) =>
      stream.follow(id, (m) => {
        if (m.type !== 'points' || Date.now() - last < 5000) return;
        last = Date.now();
        setTick((n) => n + 1);
      }),
    );
    return () => stops.forEach((stop) => stop());
  }, [stream, key]);
  return { columns, error };
}

/** One line per device and field (or per series of a saved chart); one chart (one y-axis) per unit. */
export function LineWidget({ w, height = 140 }: { w: ShownWidget; height?: number }) {
  const { columns, error } = useSeries(w);
  const profiles = useProfiles(w.device_ids);
  const numeric = columns.filter((c) => c.f.kind === 'number');
  const byUnit = new Map<string, typeof numeric>();
  for (const c of numeric) {
    const unit = fieldSpec(profileOf(profiles, c.id), c.f.field)?.unit ?? '';
    byUnit.set(unit, [...(byUnit.get(unit) ?? []), c]);
  }
  return (
    <>
      <ErrorText error={error} />
      {[...byUnit.entries()].map(([unit, cols]) => (
        <LineChart
          key={unit}
          height={height}
          title={`${w.title || 'Chart'}${unit ? ` (${unit})` : ''}`}
          unit={unit || undefined}
          data={align(cols.map((c) => ({ ts: c.f.ts, values: c.f.values.map((v) => (typeof v === 'number' ? v : null)) })))}
          series={cols.map((c, i) => ({
            label: c.label || `${w.device_ids.length > 1 ? `${c.id} ` : ''}${fieldSpec(profileOf(profiles, c.id), c.f.field)?.label ?? c.f.field}`,
            color: seriesColor(i),
            spanGaps: true,
          }))}
        />
      ))}
      {w.series && <StateRows w={w} columns={columns.filter((c) => c.f.kind !== 'number')} profiles={profiles} />}
      {numeric.length === 0 && !error && !w.series && <p className="muted">No numeric data in this range.</p>}
    </>
  );
}

/** Booleans, enums and text as state timelines, shown by their labels. */
function StateRows({ w, columns, profiles }: { w: ShownWidget; columns: Array<{ id: string; f: Column; label?: string | null }>; profiles: Profiles }) {
  const end = Date.now();
  return columns.map(({ id, f, label }) => {
    const spec = fieldSpec(profileOf(profiles, id), f.field);
    const name = label || spec?.label || f.field;
    return (
      <div key={`${id}:${f.field}`}>
        <div className="muted small">
          {w.device_ids.length > 1 && !label ? `${id} · ` : ''}
          {name}
        </div>
        <StateTimeline ts={f.ts} values={f.values} start={Math.max(end - rangeMs(w.range), f.ts[0] ?? end)} end={end} title={`${name} over time`} format={(v) => formatReading(v, spec)} />
      </div>
    );
  });
}

function TimelineWidget({ w }: { w: Widget }) {
  const { columns, error } = useSeries(w);
  const profiles = useProfiles(w.device_ids);
  return (
    <>
      <ErrorText error={error} />
      <StateRows w={w} columns={columns} profiles={profiles} />
    </>
  );
}

/** Energy per day of the widget's devices over its range (at least a week), summed. */
function BarWidget({ w }: { w: Widget }) {
  const { api } = useApp();
  const [data, setData] = useState<Array<{ label: string; value: number }>>();
  const [error, setError] = useState<unknown>();
  const key = `${w.device_ids.join(',')}|${w.range}`;
  useEffect(() => {
    let live = true;
    const days = Math.max(7, Math.round(rangeMs(w.range) / 86_400_000));
    const end = localDate();
    const start = localDate(new Date(Date.now() - (days - 1) * 86_400_000));
    const tz = encodeURIComponent(userTimeZone());
    Promise.all(w.device_ids.map((id) => api.get<EnergyResponse>(`/api/v1/energy/daily?start=${start}&end=${end}&tz=${tz}&device_id=${encodeURIComponent(id)}`))).then(
      (answers) => {
        if (!live) return;
        const sum = new Map<string, number>();
        for (const a of answers) for (const b of a.buckets) sum.set(b.label, (sum.get(b.label) ?? 0) + b.value);
        setData([...sum.entries()].map(([label, value]) => ({ label, value })));
      },
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [api, key]);
  return (
    <>
      <ErrorText error={error} />
      {data && <BarChart title={`${w.title || 'Energy'} per day`} unit="kWh" bars={data.map((b) => ({ ...b, short: b.label.slice(5) }))} />}
    </>
  );
}

/** Now and target with their unit; a new target when the viewer has control access to the device. */
function ThermostatWidget({ w }: { w: Widget }) {
  const { api } = useApp();
  const id = w.device_ids[0]!;
  const latest = useLatest([id]);
  const profiles = useProfiles([id]);
  const profile = profileOf(profiles, id);
  const [target, setTarget] = useState('');
  const [error, setError] = useState<unknown>();
  const [sent, setSent] = useState(false);
  const allowed = profiles[id]?.access !== undefined && profiles[id]?.access !== 'read';
  const spec = profile?.commands.find((c) => c.name === 'set_target_temperature')?.params[0];
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const temperature = Number(target);
      await api.post(`/api/v1/devices/${encodeURIComponent(id)}/commands`, { command: 'set_target_temperature', parameters: { temperature } });
      await api.put(`/api/v1/devices/${encodeURIComponent(id)}/state`, { desired: { target_temperature: temperature } });
      setSent(true);
    } catch (err) {
      setError(err);
    }
  };
  const show = (f: string) => formatReading(latest[id]?.[f]?.value, fieldSpec(profile, f));
  return (
    <div className="widget-thermostat">
      <div className="widget-values">
        <div className="widget-value">
          <div className="stat-value" data-testid={`widget-thermostat-${id}-temperature`}>{show('temperature')}</div>
          <div className="stat-label">now</div>
        </div>
        <div className="widget-value">
          <div className="stat-value">{show('target_temperature')}</div>
          <div className="stat-label">target</div>
        </div>
      </div>
      <form className="inline wrap" onSubmit={(e) => void submit(e)}>
        <label className="inline">
          New target ({spec?.unit ?? '°C'})
          <input type="number" step="0.5" min={spec?.min ?? undefined} max={spec?.max ?? undefined} required value={target} onChange={(e) => setTarget(e.target.value)} className="narrow" disabled={!allowed} />
        </label>
        <button type="submit" disabled={!allowed}>
          Set
        </button>
        {sent && <span className="muted small">sent</span>}
      </form>
      <ErrorText error={error} />
    </div>
  );
}

export function WidgetBody({ w }: { w: ShownWidget }) {
  if (w.kind === 'chart' && !w.series) return <p className="muted">This saved chart was deleted.</p>;
  if (w.device_ids.length === 0) return <p className="muted">You may not read this widget&apos;s devices.</p>;
  switch (w.kind) {
    case 'value':
      return <ValueWidget w={w} />;
    case 'gauge':
      return <GaugeWidget w={w} />;
    case 'table':
      return <TableWidget w={w} />;
    case 'line':
      return <LineWidget w={w} />;
    case 'timeline':
      return <TimelineWidget w={w} />;
    case 'bar':
      return <BarWidget w={w} />;
    case 'thermostat':
      return <ThermostatWidget w={w} />;
    case 'chart':
      return <LineWidget w={w} height={Math.max(140, 90 * w.h)} />;
  }
}

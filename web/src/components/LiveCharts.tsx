// A device's fields over the chosen range, sized to the screen by the server (max_points = chart
// width) and kept live by the WebSocket stream: no polling. The profile's charts put related numbers
// on one chart (a thermostat's temperature and target); every other field gets its own. Numbers are
// lines (with the min/max envelope when the server aggregated), booleans and text are state timelines.
import { useEffect, useRef, useState } from 'react';
import type { StreamPoint } from '../../../src/contract/stream.ts';
import type { DeviceProfile, FieldSeries, SeriesResponse } from '../api/types.ts';
import { RANGES, rangeMs } from '../lib/format.ts';
import { align } from '../lib/align.ts';
import { fieldSpec, fieldTitle, formatReading } from '../lib/profile.ts';
import { useApp } from '../session.tsx';
import { LineChart, seriesColor } from './LineChart.tsx';
import { StateTimeline } from './StateTimeline.tsx';
import { ErrorText } from './ui.tsx';

type Columns = Pick<FieldSeries, 'field' | 'kind' | 'ts' | 'values' | 'min' | 'max'>;

/** Drops empty buckets, so a lone bucket with data is drawn as a point instead of vanishing between gaps. */
export function dropEmpty<T extends Columns>(f: T): T {
  if (!f.values.includes(null)) return f;
  const keep = f.values.map((v, i) => (v === null ? -1 : i)).filter((i) => i >= 0);
  const pick = <V,>(a: V[] | undefined) => a && keep.map((i) => a[i]!);
  return { ...f, ts: pick(f.ts)!, values: pick(f.values)!, min: pick(f.min), max: pick(f.max) };
}

/** Appends live points to the columns of their fields and drops what fell out of the range. */
export function appendPoints(fields: Columns[], points: readonly StreamPoint[], since: number): Columns[] {
  const byField = new Map(fields.map((f) => [f.field, { ...f, ts: [...f.ts], values: [...f.values], min: f.min && [...f.min], max: f.max && [...f.max] }]));
  for (const p of [...points].sort((a, b) => a.ts - b.ts)) {
    let f = byField.get(p.field);
    if (!f) {
      const kind = typeof p.value === 'number' ? 'number' : typeof p.value === 'boolean' ? 'boolean' : 'string';
      byField.set(p.field, (f = { field: p.field, kind, ts: [], values: [], min: undefined, max: undefined }));
    }
    const lastTs = f.ts[f.ts.length - 1];
    if (lastTs !== undefined && p.ts <= lastTs) continue; // already shown (or older than the chart's end)
    f.ts.push(p.ts);
    f.values.push(p.value);
    f.min?.push(null);
    f.max?.push(null);
  }
  for (const f of byField.values()) {
    let drop = 0;
    while (drop < f.ts.length - 1 && f.ts[drop]! < since) drop++;
    if (drop > 0) {
      f.ts.splice(0, drop);
      f.values.splice(0, drop);
      f.min?.splice(0, drop);
      f.max?.splice(0, drop);
    }
  }
  return [...byField.values()].sort((a, b) => a.field.localeCompare(b.field));
}

/** Live points beyond this many per pixel of width send the chart back to the server to downsample. */
const LIVE_POINTS_PER_PIXEL = 2;

/** True when a field holds more points than the chart can show: time to ask the server again. */
export function needsDownsampling(fields: readonly Columns[], width: number): boolean {
  return fields.some((f) => f.ts.length > width * LIVE_POINTS_PER_PIXEL);
}

type Spec = ReturnType<typeof fieldSpec>;
type ProfileOf = DeviceProfile['profile'] | undefined;

/** Fields drawn together: a chart of the profile with two or more numeric fields present, or one field alone. */
export interface ChartGroup {
  title: string | undefined;
  fields: Columns[];
}

/** The profile's charts first (those with at least two numeric fields that have data), then every other field alone. */
export function chartGroups(fields: readonly Columns[], profile: ProfileOf): ChartGroup[] {
  const byField = new Map(fields.map((f) => [f.field, f]));
  const used = new Set<string>();
  const groups: ChartGroup[] = [];
  for (const chart of profile?.views.charts ?? []) {
    const members = chart.fields.map((k) => byField.get(k)).filter((f): f is Columns => !!f && f.kind === 'number' && !used.has(f.field));
    if (members.length < 2) continue;
    for (const m of members) used.add(m.field);
    groups.push({ title: chart.title, fields: members });
  }
  for (const f of fields) if (!used.has(f.field)) groups.push({ title: undefined, fields: [f] });
  return groups;
}

/** Several numeric fields on one chart, one line each; the axis carries their unit when they share one. */
function GroupChart({ group, profile, title }: { group: ChartGroup; profile: ProfileOf; title: string }) {
  const specs = group.fields.map((f) => fieldSpec(profile, f.field));
  const units = new Set(specs.map((s) => s?.unit ?? null));
  const unit = units.size === 1 ? [...units][0] : undefined;
  const numbers = (values: Columns['values']) => values.map((v) => (typeof v === 'number' ? v : null));
  return (
    <LineChart
      title={title}
      unit={unit}
      decimals={specs[0]?.decimals}
      data={align(group.fields.map((f) => ({ ts: f.ts, values: numbers(f.values) })))}
      series={group.fields.map((f, i) => ({ label: specs[i]?.label ?? f.field, color: seriesColor(i), spanGaps: true }))}
    />
  );
}

function FieldChart({ f, spec, start, end }: { f: Columns; spec: Spec; start: number; end: number }) {
  // Like the line charts, a timeline spans the data it has (from its first point to now).
  const from = Math.max(start, f.ts[0] ?? start);
  const title = `${fieldTitle(spec, f.field)} over time`;
  if (f.kind !== 'number') return <StateTimeline ts={f.ts} values={f.values} start={from} end={end} title={title} format={(v) => formatReading(v, spec)} />;
  const values = f.values.map((v) => (typeof v === 'number' ? v : null));
  const label = spec?.label ?? f.field;
  const units = { unit: spec?.unit, decimals: spec?.decimals };
  if (f.min && f.max) {
    return (
      <LineChart
        title={title}
        {...units}
        data={[f.ts, values, f.min, f.max]}
        series={[
          { label, color: seriesColor(0) },
          { label: 'min', color: seriesColor(0), faint: true },
          { label: 'max', color: seriesColor(0), faint: true },
        ]}
      />
    );
  }
  return <LineChart title={title} {...units} data={[f.ts, values]} series={[{ label, color: seriesColor(0) }]} />;
}

export function LiveCharts({ deviceId, profile }: { deviceId: string; profile?: DeviceProfile['profile'] | undefined }) {
  const { api, stream } = useApp();
  const [range, setRange] = useState<string>('1h');
  const [data, setData] = useState<{ meta: Omit<SeriesResponse, 'fields'>; fields: Columns[]; start: number } | undefined>();
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  const box = useRef<HTMLDivElement>(null);
  const buffer = useRef<StreamPoint[]>([]);
  const requestedWidth = useRef(1000);
  // Live points that arrive while the range is being fetched: the answer may predate them.
  const sinceFetch = useRef<StreamPoint[]>([]);

  useEffect(() => {
    let live = true;
    const width = Math.min(4000, Math.max(200, Math.round(box.current?.clientWidth ?? window.innerWidth)));
    requestedWidth.current = width;
    const end = Date.now() + 1;
    const start = end - rangeMs(range);
    sinceFetch.current = [];
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    api
      .get<SeriesResponse>(`/api/v1/telemetry/${encodeURIComponent(deviceId)}/series?start_time=${start}&end_time=${end}&max_points=${width}&tz=${encodeURIComponent(tz)}`)
      .then(
        (r) => {
          if (!live) return;
          const { fields, ...meta } = r;
          setData({ meta, fields: appendPoints(fields.map(dropEmpty), sinceFetch.current, start), start });
          setError(undefined);
        },
        (err: unknown) => live && setError(err),
      );
    return () => {
      live = false;
    };
  }, [api, deviceId, range, tick]);

  useEffect(() => {
    const stop = stream.follow(deviceId, (m) => {
      if (m.type !== 'points') return;
      buffer.current.push(...m.points);
      if (sinceFetch.current.length < 100_000) sinceFetch.current.push(...m.points);
    });
    const resume = stream.onResume(() => setTick((n) => n + 1));
    // Live points are applied in small batches, so a busy device does not re-render per message.
    const timer = setInterval(() => {
      if (buffer.current.length === 0) return;
      const points = buffer.current;
      buffer.current = [];
      setData((d) => {
        if (!d) return d;
        const fields = appendPoints(d.fields, points, Date.now() - rangeMs(range));
        // A busy device: raw live points would pile up past the screen width, so fetch the range
        // again and let the server downsample it (live points keep coming in on top).
        if (needsDownsampling(fields, requestedWidth.current)) setTimeout(() => setTick((n) => n + 1), 0);
        return { ...d, fields };
      });
    }, 250);
    return () => {
      stop();
      resume();
      clearInterval(timer);
    };
  }, [stream, deviceId, range]);

  const now = Date.now();
  return (
    <div className="card" ref={box}>
      <div className="page-head">
        <h2>Charts</h2>
        <div className="segmented" role="group" aria-label="Time range">
          {RANGES.map((r) => (
            <button key={r.id} type="button" aria-pressed={range === r.id} onClick={() => setRange(r.id)}>
              {r.label}
            </button>
          ))}
        </div>
      </div>
      <ErrorText error={error} />
      {data && (
        <p className="muted small" data-testid="chart-mode">
          {data.meta.mode === 'aggregated' ? `${data.meta.window} averages (min/max shaded)` : data.meta.mode === 'downsampled' ? 'downsampled to screen width' : 'raw points'} · live
        </p>
      )}
      {data?.fields.length === 0 && <p className="muted">No telemetry in this range yet. Points appear here as the device sends them.</p>}
      {data &&
        chartGroups(data.fields, profile).map((g) => {
          const first = g.fields[0]!;
          const spec = fieldSpec(profile, first.field);
          const single = g.fields.length === 1;
          const title = single ? fieldTitle(spec, first.field) : `${g.title}${spec?.unit ? ` (${spec.unit})` : ''}`;
          return (
            <div key={g.fields.map((f) => f.field).join('+')} className="field-chart" data-field={first.field} data-fields={g.fields.map((f) => f.field).join(' ')}>
              <h3>
                {title} {profile && single && !spec && <span className="badge muted">unprofiled</span>}{' '}
                {g.fields.map((f, i) => (
                  <span key={f.field} className="muted small" data-testid={`count-${f.field}`}>
                    {single ? '' : `${i > 0 ? '· ' : ''}${fieldSpec(profile, f.field)?.label ?? f.field}: `}
                    {f.ts.length} {f.ts.length === 1 ? 'point' : 'points'}{' '}
                  </span>
                ))}
              </h3>
              {single ? (
                <FieldChart f={first} spec={spec} start={Math.max(data.start, now - rangeMs(range))} end={now} />
              ) : (
                <GroupChart group={g} profile={profile} title={`${title} over time`} />
              )}
            </div>
          );
        })}
    </div>
  );
}

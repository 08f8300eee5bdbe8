// Chart data sized to the screen: at most `maxPoints` per field, whatever the range holds. Short
// ranges read raw points (min/max-downsampled when there are too many); long ranges read rollups
// at the smallest window that fits, so a 30-day chart never scans raw points.
import { FluxgateError } from '../contract/errors.ts';
import { finishAcc } from '../domain/rollup.ts';
import { type XY, chartWindow, minMaxDownsample } from '../domain/downsample.ts';
import type { PointValue } from '../domain/telemetry.ts';
import { parseWindow } from '../domain/time.ts';
import type { Storage } from '../storage/storage.ts';
import type { QueryService } from './query-service.ts';

export type FieldKind = 'number' | 'boolean' | 'string';

export interface FieldSeries {
  field: string;
  kind: FieldKind;
  ts: number[];
  /** Raw values, or per-bucket mean (numbers) / last (booleans, 0 or 1) when aggregated. */
  values: Array<PointValue | null>;
  /** Per-bucket extremes, only when aggregated. */
  min?: Array<number | null>;
  max?: Array<number | null>;
}

export interface ChartData {
  mode: 'raw' | 'downsampled' | 'aggregated';
  window: string | null;
  fields: FieldSeries[];
}

/** Raw points read for one field before giving up on raw mode (a short range with a flood of data). */
const RAW_CAP = 1_000_000;

const kindOf = (v: PointValue): FieldKind => (typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string');

/** Keeps the first point, every change of value, and the last point: a state timeline loses nothing. */
function changesOnly(ts: number[], values: PointValue[]): { ts: number[]; values: PointValue[] } {
  const out = { ts: [] as number[], values: [] as PointValue[] };
  for (let i = 0; i < ts.length; i++) {
    if (i === 0 || i === ts.length - 1 || values[i] !== values[i - 1]) {
      out.ts.push(ts[i]!);
      out.values.push(values[i]!);
    }
  }
  return out;
}

export class ChartSeriesService {
  constructor(
    private readonly storage: Storage,
    private readonly queries: QueryService,
  ) {}

  async series(q: { deviceId: string; fields?: string[] | undefined; start: number; end: number; maxPoints: number; tz: string }): Promise<ChartData> {
    const latest = await this.storage.latestPoints(q.deviceId);
    const kinds = new Map(latest.map((p) => [p.field, kindOf(p.value)]));
    const fields = (q.fields ?? [...kinds.keys()].sort()).filter((f) => kinds.has(f));
    const window = chartWindow(q.start, q.end, q.maxPoints);
    if (window) {
      const out: FieldSeries[] = [];
      for (const field of fields) out.push(await this.aggregated(q, field, kinds.get(field)!, window));
      return { mode: 'aggregated', window, fields: out };
    }
    let reduced = false;
    const out: FieldSeries[] = [];
    for (const field of fields) {
      const points = await this.storage.queryPoints({ deviceId: q.deviceId, fields: [field], start: q.start, end: q.end, order: 'asc', limit: RAW_CAP });
      if (points.length === RAW_CAP) throw new FluxgateError('VALIDATION_FAILED', `more than ${RAW_CAP} points of ${field} in this range; choose a shorter range`);
      const ts = points.map((p) => p.ts);
      const values = points.map((p) => p.value);
      const kind = kinds.get(field)!;
      if (points.length <= q.maxPoints) {
        out.push({ field, kind, ts, values });
      } else if (kind === 'number') {
        reduced = true;
        const xy = minMaxDownsample(points.map((p): XY => ({ ts: p.ts, value: p.value as number })), q.maxPoints, q.start, q.end);
        out.push({ field, kind, ts: xy.map((p) => p.ts), values: xy.map((p) => p.value) });
      } else {
        reduced = true;
        out.push({ field, kind, ...changesOnly(ts, values) });
      }
    }
    return { mode: reduced ? 'downsampled' : 'raw', window: null, fields: out };
  }

  private async aggregated(
    q: { deviceId: string; start: number; end: number; tz: string },
    field: string,
    kind: FieldKind,
    window: string,
  ): Promise<FieldSeries> {
    if (kind === 'string') return { field, kind, ts: [], values: [] };
    const { edges, accs } = await this.queries.accumulate({ deviceId: q.deviceId, field, window: parseWindow(window), tz: q.tz, start: q.start, end: q.end });
    const series: Required<FieldSeries> = { field, kind, ts: [], values: [], min: [], max: [] };
    for (let i = 0; i < edges.length - 1; i++) {
      const acc = accs[i];
      series.ts.push(edges[i]!);
      series.values.push(kind === 'boolean' ? finishAcc(acc, 'last') : finishAcc(acc, 'mean'));
      series.min.push(finishAcc(acc, 'min'));
      series.max.push(finishAcc(acc, 'max'));
    }
    return series;
  }
}

// A uPlot time-series chart that fills its container's width. Data is column arrays (times in
// epoch ms, then one array per series); new data is pushed with setData, never by re-creating.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface LineSeries {
  label: string;
  color: string;
  /** Faint, thin line (min/max envelopes). */
  faint?: boolean;
  /** Draw across missing values (series merged from different time bases). */
  spanGaps?: boolean;
}

export interface LineChartProps {
  /** [times in ms, ...values per series] */
  data: [number[], ...Array<Array<number | null>>];
  series: LineSeries[];
  height?: number;
  title: string;
  /** Unit of every series (one y axis per unit): the axis label, and beside each legend value. */
  unit?: string | null | undefined;
  /** Digits after the point in the legend (hover); default: as uPlot shows them. */
  decimals?: number | null | undefined;
}

/** A legend (hover) value with its unit: "21.5 °C". */
export function legendValue(v: number | null | undefined, unit: string | null | undefined, decimals: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  const text = decimals === null || decimals === undefined ? String(Math.round(v * 1000) / 1000) : v.toFixed(decimals);
  return unit ? `${text} ${unit}` : text;
}

const PALETTE = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
export const seriesColor = (i: number): string => PALETTE[i % PALETTE.length]!;

// Whole-second tick steps (uPlot's defaults go down to milliseconds, which read as ":17.800").
const X_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000, 31536000];

/** Y axis as wide as its longest label (a fixed width cuts "1,009.8" to ",009.8"). */
const yAxisSize: uPlot.Axis.Size = (u, values, axisIdx, cycleNum) => {
  const axis = u.axes[axisIdx]!;
  const previous = (axis as { _size?: number })._size;
  if (cycleNum > 1 && previous) return previous;
  const longest = (values ?? []).reduce((a, v) => (v.length > a.length ? v : a), '');
  let size = (axis.ticks?.size ?? 10) + (axis.gap ?? 5) + 4;
  if (longest) {
    u.ctx.font = (axis.font as unknown as [string])?.[0] ?? u.ctx.font;
    size += u.ctx.measureText(longest).width / (window.devicePixelRatio || 1);
  }
  return Math.max(40, Math.ceil(size));
};

/** One short line per tick: uPlot's default second line (the date) collides on narrow charts. */
const xValues: uPlot.Axis.DynamicValues = (_u, splits, _axisIdx, _space, incr) =>
  splits.map((s) => {
    const d = new Date(s * 1000);
    if (incr >= 86_400) return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
    if (incr >= 60) return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
    return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  });

function toSeconds(data: LineChartProps['data']): uPlot.AlignedData {
  return [data[0].map((t) => t / 1000), ...data.slice(1)] as uPlot.AlignedData;
}

export function LineChart({ data, series, height = 220, title, unit, decimals }: LineChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const shape = `${unit ?? ''}:${decimals ?? ''}|` + series.map((s) => `${s.label}:${s.color}:${s.faint ? 1 : 0}:${s.spanGaps ? 1 : 0}`).join('|');

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
      // One timestamp alone would make uPlot stretch the axis over years (it may pass no min and max
      // at all, which read as 1970): give that time a minute each side.
      scales: {
        x: {
          time: true,
          range: (u, min, max) => {
            const xs = u.data[0] ?? [];
            const first = xs[0];
            if (first !== undefined && xs[xs.length - 1] === first) return [first - 60, first + 60];
            return [min, max];
          },
        },
      },
      axes: [
        { stroke: '#475569', grid: { stroke: '#e2e8f0' }, incrs: X_INCRS, values: xValues, space: 100 },
        { stroke: '#475569', grid: { stroke: '#e2e8f0' }, size: yAxisSize, ...(unit ? { label: unit, labelSize: 18 } : {}) },
      ],
      series: [
        { label: 'time' },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: s.faint ? 1 : 2,
          alpha: s.faint ? 0.35 : 1,
          spanGaps: s.spanGaps ?? false,
          value: (_u: uPlot, v: number | null) => legendValue(v, unit, decimals),
        })),
      ],
    };
    const u = new uPlot(opts, toSeconds(data), el);
    plot.current = u;
    const ro = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro?.observe(el);
    return () => {
      ro?.disconnect();
      u.destroy();
      plot.current = undefined;
    };
    // Re-created only when the set of series changes; data updates go through setData below.
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData(toSeconds(data));
  }, [data]);

  return <div className="chart" ref={box} role="img" aria-label={title} />;
}

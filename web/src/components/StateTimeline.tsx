// A boolean (or text) field as a state timeline: coloured bands for each run of the same value.
import { formatTime, formatValue } from '../lib/format.ts';

export interface StateTimelineProps {
  ts: number[];
  values: Array<unknown>;
  start: number;
  end: number;
  title: string;
  /** How a value is shown ("locked", not "true"); default formatValue. */
  format?: (value: unknown) => string;
}

export function StateTimeline({ ts, values, start, end, title, format = formatValue }: StateTimelineProps) {
  const span = Math.max(1, end - start);
  const runs: Array<{ from: number; to: number; value: unknown }> = [];
  for (let i = 0; i < ts.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    const from = Math.max(start, ts[i]!);
    const last = runs[runs.length - 1];
    if (last && last.value === v) continue;
    if (last) last.to = from;
    runs.push({ from, to: end, value: v });
  }
  const last = runs[runs.length - 1];
  if (last && ts.length) last.to = Math.min(end, Math.max(ts[ts.length - 1]!, Date.now()));
  return (
    <div className="timeline" role="img" aria-label={title}>
      {runs.map((r, i) => {
        const on = r.value === true || r.value === 1;
        return (
          <div
            key={i}
            className={`timeline-run ${on ? 'on' : typeof r.value === 'boolean' || r.value === 0 ? 'off' : 'text'}`}
            style={{ left: `${((r.from - start) / span) * 100}%`, width: `${Math.max(0.2, ((r.to - r.from) / span) * 100)}%` }}
            title={`${format(r.value)} from ${formatTime(r.from)}`}
          >
            <span>{format(r.value)}</span>
          </div>
        );
      })}
      {runs.length === 0 && <div className="muted timeline-empty">no data in this range</div>}
    </div>
  );
}

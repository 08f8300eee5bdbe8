// A bar chart for energy per hour or day (labels are the server's local-time labels): a y-axis in
// the unit with round ticks and gridlines, and the exact value of a bar on hover, or on focus with
// the arrow keys moving from bar to bar.
import { type KeyboardEvent, type MouseEvent, useState } from 'react';

export interface Bar {
  label: string;
  short?: string;
  value: number;
}

/** Round tick values from 0 to at least `max` (steps of 1, 2, 2.5 or 5 times a power of ten). */
export function niceTicks(max: number, count = 4): number[] {
  const top = max > 0 && Number.isFinite(max) ? max : 1;
  const raw = top / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * magnitude;
  const n = Math.ceil(top / step - 1e-9);
  return Array.from({ length: n + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}

/** Tick labels with as many decimals as the step needs, the same for every tick. */
export function tickLabels(ticks: number[]): string[] {
  const step = ticks[1] ?? 1;
  let decimals = 0;
  while (decimals < 6 && Math.abs(Math.round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-9) decimals++;
  return ticks.map((t) => t.toFixed(decimals));
}

/** A bar's value to the watt-hour (kWh with up to three decimals), not rounded for display. */
export function exactValue(v: number): string {
  return String(Number(v.toFixed(3)));
}

export function BarChart({ bars, unit, title }: { bars: Bar[]; unit: string; title: string }) {
  const [active, setActive] = useState<number>();
  const ticks = niceTicks(Math.max(0, ...bars.map((b) => b.value)));
  const labels = tickLabels(ticks);
  const top = ticks[ticks.length - 1]!;
  const w = 100 / Math.max(1, bars.length);
  // At most about six labels, so they stay readable at phone width.
  const step = Math.max(1, Math.ceil(bars.length / 6));
  const shown = active === undefined ? undefined : bars[active];

  const onMove = (e: MouseEvent<HTMLDivElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    if (box.width <= 0 || bars.length === 0) return;
    setActive(Math.min(bars.length - 1, Math.max(0, Math.floor(((e.clientX - box.left) / box.width) * bars.length))));
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (bars.length === 0) return;
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1 };
    if (e.key in moves) {
      e.preventDefault();
      setActive((a) => Math.min(bars.length - 1, Math.max(0, (a ?? 0) + moves[e.key]!)));
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      setActive(e.key === 'Home' ? 0 : bars.length - 1);
    }
  };
  // Focus starts at the last bar with a value (the most recent consumption), else the last bar.
  const onFocus = () => {
    if (active !== undefined || bars.length === 0) return;
    let last = bars.length - 1;
    while (last > 0 && bars[last]!.value === 0) last--;
    setActive(bars[last]!.value === 0 ? bars.length - 1 : last);
  };

  return (
    <figure className="bars" aria-label={title}>
      <div className="bars-grid">
        <div className="y-axis" aria-hidden="true">
          <span className="y-unit">{unit}</span>
          {labels.map((l, i) => (
            <span key={i} className="y-tick" style={{ bottom: `${(ticks[i]! / top) * 100}%` }}>
              {l}
            </span>
          ))}
        </div>
        <div
          className="plot"
          tabIndex={0}
          role="group"
          aria-label={`${title}, in ${unit}: use the arrow keys to read each bar`}
          onMouseMove={onMove}
          onMouseLeave={() => setActive(undefined)}
          onFocus={onFocus}
          onBlur={() => setActive(undefined)}
          onKeyDown={onKey}
        >
          <svg viewBox="0 0 100 100" preserveAspectRatio="none" aria-hidden="true">
            {ticks.map((t) => (
              <line key={t} className={t === 0 ? 'axis' : 'grid'} x1={0} x2={100} y1={100 - (t / top) * 100} y2={100 - (t / top) * 100} vectorEffect="non-scaling-stroke" />
            ))}
            {bars.map((b, i) => {
              const h = (b.value / top) * 100;
              return (
                <rect key={i} x={i * w + w * 0.1} y={100 - h} width={w * 0.8} height={h} className={i === active ? 'bar active' : 'bar'} data-label={b.label}>
                  <title>{`${b.label}: ${exactValue(b.value)} ${unit}`}</title>
                </rect>
              );
            })}
          </svg>
          {shown && active !== undefined && (
            <div
              className="bar-tip"
              role="status"
              // Anchored on the bar's side that has room, so it never sticks out of the chart.
              style={active + 0.5 < bars.length / 2 ? { left: `${active * w}%` } : { right: `${100 - (active + 1) * w}%` }}
            >
              <span className="bar-tip-label">{shown.label}</span> <strong>{`${exactValue(shown.value)} ${unit}`}</strong>
            </div>
          )}
        </div>
        <div className="bar-labels" aria-hidden="true">
          {bars.map((b, i) => (
            <span key={i} style={{ width: `${w}%` }}>
              {i % step === 0 ? (b.short ?? b.label) : ''}
            </span>
          ))}
        </div>
      </div>
    </figure>
  );
}

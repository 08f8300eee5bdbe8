// A small SVG bar chart for energy per hour or day (labels are the server's local-time labels).
import { formatValue } from '../lib/format.ts';

export function BarChart({ bars, unit, title }: { bars: Array<{ label: string; short?: string; value: number }>; unit: string; title: string }) {
  const max = Math.max(0, ...bars.map((b) => b.value)) || 1;
  const w = 100 / Math.max(1, bars.length);
  // At most about six labels, so they stay readable at phone width.
  const step = Math.max(1, Math.ceil(bars.length / 6));
  return (
    <figure className="bars" aria-label={title}>
      <svg viewBox="0 0 100 50" preserveAspectRatio="none" role="img" aria-label={title}>
        {bars.map((b, i) => {
          const h = (b.value / max) * 46;
          return (
            <rect key={i} x={i * w + w * 0.1} y={50 - h} width={w * 0.8} height={h} className="bar">
              <title>{`${b.label}: ${formatValue(b.value)} ${unit}`}</title>
            </rect>
          );
        })}
      </svg>
      <div className="bar-labels">
        {bars.map((b, i) => (
          <span key={i} style={{ width: `${w}%` }}>
            {i % step === 0 ? (b.short ?? b.label) : ''}
          </span>
        ))}
      </div>
    </figure>
  );
}

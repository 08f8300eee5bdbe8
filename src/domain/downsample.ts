// Reducing a series to about one point per pixel so a chart of 100,000 points stays smooth, while
// keeping what the eye looks for: peaks, dips and the moments a state changed.

/** Fixed windows a chart may be aggregated by, smallest first (all supported by parseWindow). */
export const CHART_WINDOWS = ['1m', '2m', '5m', '10m', '15m', '30m', '1h', '2h', '3h', '6h', '12h'] as const;
const WINDOW_MS: Record<(typeof CHART_WINDOWS)[number], number> = {
  '1m': 60_000,
  '2m': 120_000,
  '5m': 300_000,
  '10m': 600_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '3h': 10_800_000,
  '6h': 21_600_000,
  '12h': 43_200_000,
};

/**
 * The smallest window that shows [start, end) in at most `maxPoints` buckets, or undefined when
 * even raw points at one-minute spacing would fit (the range is short: read raw points instead).
 */
export function chartWindow(start: number, end: number, maxPoints: number): (typeof CHART_WINDOWS)[number] | undefined {
  const wanted = (end - start) / maxPoints;
  if (wanted < WINDOW_MS['1m']) return undefined;
  return CHART_WINDOWS.find((w) => WINDOW_MS[w] >= wanted) ?? '12h';
}

export interface XY {
  ts: number;
  value: number;
}

/**
 * Min/max downsampling: splits the time range into maxPoints/2 equal slots and keeps, per slot,
 * its lowest and highest point in time order (one point when they coincide). Input must be sorted
 * by time; the result has at most `maxPoints` points and every extreme of every slot.
 */
export function minMaxDownsample(points: readonly XY[], maxPoints: number, start: number, end: number): XY[] {
  if (points.length <= maxPoints) return points.slice();
  const slots = Math.max(1, Math.floor(maxPoints / 2));
  const width = (end - start) / slots;
  const out: XY[] = [];
  let slot = -1;
  let lo: XY | undefined;
  let hi: XY | undefined;
  const flush = () => {
    if (!lo || !hi) return;
    if (lo === hi) out.push(lo);
    else if (lo.ts <= hi.ts) out.push(lo, hi);
    else out.push(hi, lo);
  };
  for (const p of points) {
    const s = Math.min(slots - 1, Math.max(0, Math.floor((p.ts - start) / width)));
    if (s !== slot) {
      flush();
      slot = s;
      lo = hi = p;
      continue;
    }
    if (p.value < lo!.value) lo = p;
    if (p.value > hi!.value) hi = p;
  }
  flush();
  return out;
}

// Several time series on one time axis, for a chart of several lines.

/** Puts series of different time bases on one shared time axis (uPlot's aligned data). */
export function align(series: Array<{ ts: number[]; values: Array<number | null> }>): [number[], ...Array<Array<number | null>>] {
  const times = [...new Set(series.flatMap((s) => s.ts))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const columns = series.map((s) => {
    const col: Array<number | null> = new Array(times.length).fill(null);
    s.ts.forEach((t, i) => (col[index.get(t)!] = s.values[i] ?? null));
    return col;
  });
  return [times, ...columns];
}

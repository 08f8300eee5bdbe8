// History queries read each field through its own (device, field, ts) index range and merge the
// ordered runs, so a page costs `limit` rows per field, never a sort of the whole time range.
import type { Point } from '../../domain/telemetry.ts';
import type { PointQuery } from '../storage.ts';

/** Fetches up to `limit` points of one field with `lower <= ts < upper`, in the query's order. */
export type FieldFetch = (field: string, lower: number, upper: number, limit: number) => Promise<Point[]>;

function comparePoints(a: Point, b: Point, order: 'asc' | 'desc'): number {
  const byTime = a.ts - b.ts || (a.field < b.field ? -1 : a.field > b.field ? 1 : 0);
  return order === 'asc' ? byTime : -byTime;
}

/**
 * The [lower, upper) time range one field contributes: the query's range, narrowed to what lies past
 * the cursor. At the cursor's own timestamp only fields after the cursor's field (in this order) remain.
 */
function fieldRange(query: PointQuery, field: string): [number, number] {
  const { start, end, after } = query;
  if (!after) return [start, end];
  if (query.order === 'asc') return [Math.max(start, field > after.field ? after.ts : after.ts + 1), end];
  return [start, Math.min(end, field < after.field ? after.ts + 1 : after.ts)];
}

export async function mergeFieldQueries(query: PointQuery, fields: readonly string[], fetch: FieldFetch): Promise<Point[]> {
  const runs = await Promise.all(
    [...new Set(fields)].map((field) => {
      const [lower, upper] = fieldRange(query, field);
      return lower < upper ? fetch(field, lower, upper, query.limit) : [];
    }),
  );
  // Each run is in the query's order already: merge them two by two, keeping at most `limit`.
  let merged = runs.map((run) => (isOrdered(run, query.order) ? run : [...run].sort((a, b) => comparePoints(a, b, query.order))));
  while (merged.length > 1) {
    const next: Point[][] = [];
    for (let i = 0; i < merged.length; i += 2) next.push(i + 1 < merged.length ? mergeTwo(merged[i]!, merged[i + 1]!, query.order, query.limit) : merged[i]!);
    merged = next;
  }
  return (merged[0] ?? []).slice(0, query.limit);
}

function isOrdered(run: readonly Point[], order: 'asc' | 'desc'): boolean {
  for (let i = 1; i < run.length; i++) if (comparePoints(run[i - 1]!, run[i]!, order) > 0) return false;
  return true;
}

function mergeTwo(a: readonly Point[], b: readonly Point[], order: 'asc' | 'desc', limit: number): Point[] {
  const out: Point[] = [];
  let i = 0;
  let j = 0;
  while (out.length < limit && (i < a.length || j < b.length)) {
    if (j >= b.length || (i < a.length && comparePoints(a[i]!, b[j]!, order) <= 0)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

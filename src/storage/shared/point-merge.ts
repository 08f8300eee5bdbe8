// History queries read each field through its own (device, field, ts) index range and merge the
// ordered runs, so a page costs `limit` rows per field, never a sort of the whole time range.
import type { Point } from '../../domain/telemetry.ts';
import type { PointQuery } from '../storage.ts';

/** Fetches up to `limit` points of one field in the query's order, strictly after `fromTs` when `exclusive`. */
export type FieldFetch = (field: string, fromTs: number, exclusive: boolean, limit: number) => Promise<Point[]>;

function comparePoints(a: Point, b: Point, order: 'asc' | 'desc'): number {
  const byTime = a.ts - b.ts || (a.field < b.field ? -1 : a.field > b.field ? 1 : 0);
  return order === 'asc' ? byTime : -byTime;
}

export async function mergeFieldQueries(query: PointQuery, fields: readonly string[], fetch: FieldFetch): Promise<Point[]> {
  const runs = await Promise.all(
    fields.map((field) => {
      const after = query.after;
      if (!after) return fetch(field, query.order === 'asc' ? query.start : query.end, query.order === 'desc', query.limit);
      // Past the cursor: same timestamp only for fields after the cursor's field in this order.
      const sameTsAllowed = query.order === 'asc' ? field > after.field : field < after.field;
      return fetch(field, after.ts, !sameTsAllowed, query.limit);
    }),
  );
  const merged = runs.flat();
  merged.sort((a, b) => comparePoints(a, b, query.order));
  return merged.slice(0, query.limit);
}

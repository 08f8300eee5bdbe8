// Telemetry as it lies in the database, read outside the platform by the crash, restart and
// full-disk checks: the points of the chunks, decoded, besides the rows of the old one-row-per-point
// table. Every stored point counts, so a point stored twice shows as two.
import { decodeChunk } from '../../src/storage/chunks/chunk-codec.ts';

export interface StoredPoint {
  device_id: string;
  ts: number;
  /** Numbers as stored, booleans as 1/0, strings as null (as the old table's num column). */
  num: number | null;
}

/** The statements reading one field's points in both layouts, and its hour-rollup count per device. */
export function storedPointQueries(field: string): { oldRows: string; chunks: string; hourCounts: string } {
  if (!/^[a-z]+$/.test(field)) throw new Error(`field ${field}: letters only`);
  return {
    oldRows: `SELECT device_id, ts, num FROM points WHERE field = '${field}'`,
    chunks: `SELECT device_id, data FROM chunks WHERE field = '${field}'`,
    hourCounts: `SELECT device_id, SUM(count) AS n FROM rollup_hour WHERE field = '${field}' GROUP BY device_id`,
  };
}

export function pointsOfChunks(rows: Iterable<{ device_id: string; data: Uint8Array }>): StoredPoint[] {
  const out: StoredPoint[] = [];
  for (const row of rows) {
    const c = decodeChunk(row.data);
    c.ts.forEach((ts, i) => {
      const v = c.values[i];
      out.push({ device_id: row.device_id, ts, num: typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : null });
    });
  }
  return out;
}

/** Old-table rows and chunk points together, timestamps as numbers. */
export function allStoredPoints(oldRows: ReadonlyArray<{ device_id: string; ts: number | string; num: number | string | null }>, chunks: Iterable<{ device_id: string; data: Uint8Array }>): StoredPoint[] {
  return [...oldRows.map((r) => ({ device_id: r.device_id, ts: Number(r.ts), num: r.num === null ? null : Number(r.num) })), ...pointsOfChunks(chunks)];
}

// What the crash test reads back from storage, outside the platform: every point's (device, ts,
// value), how many stored points share one key (in chunks, decoded, and in the one-row-per-point
// table of earlier versions), and what the hourly rollups counted, per device.
import Database from 'better-sqlite3';
import pg from 'pg';
import { decodeChunk } from '../../src/storage/chunks/chunk-codec.ts';

export interface DeviceStore {
  /** sequence number (ts - base) → stored value, for every row. */
  values: Map<number, number>;
  rows: number;
  rollupCount: number;
}

export type StoredPoints = Map<string, DeviceStore>;

interface Row {
  device_id: string;
  ts: number;
  num: number;
}

function collect(rows: Row[], rollups: Array<{ device_id: string; n: number }>, bases: Map<string, number>): StoredPoints {
  const out: StoredPoints = new Map();
  const of = (id: string) => {
    let d = out.get(id);
    if (!d) out.set(id, (d = { values: new Map(), rows: 0, rollupCount: 0 }));
    return d;
  };
  for (const r of rows) {
    const base = bases.get(r.device_id);
    if (base === undefined) continue;
    const d = of(r.device_id);
    d.rows++;
    d.values.set(Number(r.ts) - base, Number(r.num));
  }
  for (const r of rollups) if (bases.has(r.device_id)) of(r.device_id).rollupCount = Number(r.n);
  return out;
}

const POINTS = "SELECT device_id, ts, num FROM points WHERE field = 'v'";
const CHUNKS = "SELECT device_id, data FROM chunks WHERE field = 'v'";
const ROLLUPS = "SELECT device_id, SUM(count) AS n FROM rollup_hour WHERE field = 'v' GROUP BY device_id";

/** The points of chunk rows, one row each. */
function chunkPoints(chunks: Array<{ device_id: string; data: Uint8Array }>): Row[] {
  return chunks.flatMap(({ device_id, data }) => {
    const c = decodeChunk(data);
    return c.ts.map((ts, i) => ({ device_id, ts, num: Number(c.values[i]) }));
  });
}

export function readSqlite(file: string, bases: Map<string, number>): StoredPoints {
  const db = new Database(file, { readonly: true });
  try {
    const rows = [...(db.prepare(POINTS).all() as Row[]), ...chunkPoints(db.prepare(CHUNKS).all() as Array<{ device_id: string; data: Uint8Array }>)];
    return collect(rows, db.prepare(ROLLUPS).all() as Array<{ device_id: string; n: number }>, bases);
  } finally {
    db.close();
  }
}

/**
 * `PRAGMA integrity_check` on the file, opened read-only: call it once the platform has restarted
 * on the file (or stopped cleanly), so recovering the WAL a kill left behind is the platform's own
 * doing and not this check's.
 */
export function sqliteIntegrity(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

export async function readPostgres(url: string, schema: string, bases: Map<string, number>): Promise<StoredPoints> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${schema}`);
    const points = await client.query<Row>(POINTS);
    const chunks = await client.query<{ device_id: string; data: Uint8Array }>(CHUNKS);
    const rollups = await client.query<{ device_id: string; n: number }>(ROLLUPS);
    return collect([...points.rows, ...chunkPoints(chunks.rows)], rollups.rows, bases);
  } finally {
    await client.end();
  }
}

// What the crash test reads back from storage, outside the platform: every point's (device, ts,
// value), how many stored points share one key, and what the hour rollups counted, per device.
import Database from 'better-sqlite3';
import pg from 'pg';
import { type StoredPoint, allStoredPoints, storedPointQueries } from '../helpers/stored-telemetry.ts';

export interface DeviceStore {
  /** sequence number (ts - base) → stored value, for every row. */
  values: Map<number, number>;
  rows: number;
  rollupCount: number;
}

export type StoredPoints = Map<string, DeviceStore>;

function collect(rows: StoredPoint[], rollups: Array<{ device_id: string; n: number }>, bases: Map<string, number>): StoredPoints {
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

const QUERIES = storedPointQueries('v');

export function readSqlite(file: string, bases: Map<string, number>): StoredPoints {
  const db = new Database(file, { readonly: true });
  try {
    // One snapshot for the three reads (a deferred transaction): background compaction may move points between them.
    return db.transaction(() => {
      const old = db.prepare(QUERIES.oldRows).all() as Array<{ device_id: string; ts: number; num: number }>;
      const points = allStoredPoints(old, db.prepare(QUERIES.chunks).all() as Array<{ device_id: string; data: Buffer }>);
      return collect(points, db.prepare(QUERIES.hourCounts).all() as Array<{ device_id: string; n: number }>, bases);
    })();
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
    // One snapshot for the three reads: background compaction may move points between them.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    const old = await client.query<{ device_id: string; ts: string; num: number }>(QUERIES.oldRows);
    const chunks = await client.query<{ device_id: string; data: Buffer }>(QUERIES.chunks);
    const rollups = await client.query<{ device_id: string; n: number }>(QUERIES.hourCounts);
    await client.query('COMMIT');
    return collect(allStoredPoints(old.rows, chunks.rows), rollups.rows, bases);
  } finally {
    await client.end();
  }
}

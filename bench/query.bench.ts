// npm run bench:query [-- --storage sqlite|postgres|both] [--runs 200]
// Loads 30 days of 10-second data for one device through the adapter, then times the hourly mean
// over 30 days and the latest values over HTTP (the real platform, a child process) and through
// the service directly in this process, on SQLite and PostgreSQL.
import { parseArgs } from 'node:util';
import { QueryService } from '../src/services/query-service.ts';
import { PostgresStorage } from '../src/storage/postgres/postgres-storage.ts';
import { SqliteStorage } from '../src/storage/sqlite/sqlite-storage.ts';
import type { Storage } from '../src/storage/storage.ts';
import { parseWindow } from '../src/domain/time.ts';
import type { Point } from '../src/domain/telemetry.ts';
import { adminToken, createDevices, getJson } from './lib/api.ts';
import { startPlatform } from './lib/children.ts';
import { percentile, sampleLatency } from './lib/latency.ts';
import { DATABASE_URL, benchEachStorage, printHardware } from './lib/raw-storage.ts';
import { recordResults } from './lib/results.ts';
import { fmt, ms, printTable } from './lib/table.ts';
import path from 'node:path';
import pg from 'pg';

const { values: args } = parseArgs({
  options: {
    storage: { type: 'string', default: 'both' },
    runs: { type: 'string', default: '200' },
    days: { type: 'string', default: '30' },
  },
});
const RUNS = Number(args.runs);
const DAYS = Number(args.days);
const STEP = 10_000;
const FIELDS = ['temperature', 'humidity', 'power'];
const TARGET_MS = { sqlite: 10, postgres: 30 } as const;

async function time(runs: number, fn: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const samples = await sampleLatency(runs, Math.min(20, runs), fn);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function load(storage: Storage, deviceId: string, end: number): Promise<{ points: number; seconds: number }> {
  const start = end - DAYS * 86_400_000;
  const t0 = performance.now();
  let batch: Point[] = [];
  let points = 0;
  for (let ts = start, i = 0; ts < end; ts += STEP, i++) {
    const day = Math.sin((2 * Math.PI * (ts % 86_400_000)) / 86_400_000);
    batch.push(
      { deviceId, ts, field: 'temperature', value: Math.round((21 + 4 * day + Math.sin(i)) * 100) / 100, meta: null },
      { deviceId, ts, field: 'humidity', value: Math.round((50 - 10 * day) * 10) / 10, meta: null },
      { deviceId, ts, field: 'power', value: Math.round(300 + 200 * Math.abs(day) + (i % 7) * 3), meta: null },
    );
    if (batch.length >= 60_000) {
      points += (await storage.writePoints(batch)).inserted;
      batch = [];
    }
  }
  if (batch.length) points += (await storage.writePoints(batch)).inserted;
  return { points, seconds: (performance.now() - t0) / 1000 };
}

interface Row {
  kind: 'sqlite' | 'postgres';
  loaded: string;
  http: { agg: { p50: number; p99: number }; latest: { p50: number; p99: number } };
  direct: { agg: { p50: number; p99: number }; latest: { p50: number; p99: number } };
  buckets: number;
}

async function benchOne(kind: 'sqlite' | 'postgres'): Promise<Row> {
  const schema = kind === 'postgres' ? `bench_q_${process.pid}_${Date.now().toString(36)}` : undefined;
  const platform = await startPlatform(schema ? { databaseUrl: DATABASE_URL, databaseSchema: schema } : {});
  // A second handle on the same database: the adapter loads and queries directly, the platform over HTTP.
  const storage: Storage = schema ? new PostgresStorage(DATABASE_URL, schema) : new SqliteStorage(path.join(platform.dataDir, 'fluxgate.db'));
  try {
    const token = await adminToken(platform.url);
    const [device] = await createDevices(platform.url, token, 1, 'query');
    const id = device!.id;
    const now = Date.now();
    const loaded = await load(storage, id, now);
    const loadedNote = `${fmt(loaded.points)} points (${fmt(loaded.points / FIELDS.length)} per field) in ${loaded.seconds.toFixed(1)} s`;
    console.log(`${kind}: loaded ${loadedNote}`);

    const aggUrl = `${platform.url}/api/v1/telemetry/${id}/aggregated?field=temperature&aggregation=mean&window=1h&start_time=-${DAYS}d`;
    const check = await getJson<{ buckets: Array<{ count: number }>; source: string }>(aggUrl, token);
    const counted = check.buckets.reduce((n, b) => n + b.count, 0);
    if (counted < loaded.points / FIELDS.length - 400) throw new Error(`aggregate covered ${counted} points, expected about ${loaded.points / FIELDS.length}`);
    const latestUrl = `${platform.url}/api/v1/telemetry/${id}/latest`;
    const latest = await getJson<{ values: Record<string, unknown> }>(latestUrl, token);
    if (Object.keys(latest.values).length !== FIELDS.length) throw new Error(`latest returned ${JSON.stringify(latest.values)}`);

    const http = {
      agg: await time(RUNS, () => getJson(aggUrl, token)),
      latest: await time(RUNS, () => getJson(latestUrl, token)),
    };
    const queries = new QueryService(storage);
    const window = parseWindow('1h');
    const direct = {
      agg: await time(RUNS, () => {
        const t = Date.now();
        return queries.aggregate({ deviceId: id, field: 'temperature', aggregation: 'mean', window, tz: 'UTC', start: t - DAYS * 86_400_000, end: t + 1 });
      }),
      latest: await time(RUNS, () => queries.latest(id)),
    };
    return { kind, loaded: loadedNote, http, direct, buckets: check.buckets.length };
  } finally {
    await storage.close();
    await platform.stop();
    if (schema) {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  }
}

printHardware(`query bench, ${DAYS} days of ${STEP / 1000}-second data, ${FIELDS.length} fields, ${RUNS} timed runs each (sequential)`);
const rows: Row[] = await benchEachStorage(args.storage, benchOne);

printTable(
  `Queries (${DAYS}-day hourly mean of one field; latest value of every field)`,
  ['storage', 'query', 'HTTP p50', 'HTTP p99', 'service p50 (reference)', 'service p99', 'target', 'met'],
  rows.flatMap((r) => [
    [
      r.kind,
      `hourly mean, ${r.buckets} buckets`,
      ms(r.http.agg.p50),
      ms(r.http.agg.p99),
      ms(r.direct.agg.p50),
      ms(r.direct.agg.p99),
      `< ${TARGET_MS[r.kind]} ms p50`,
      r.http.agg.p50 < TARGET_MS[r.kind] ? 'yes' : 'NO',
    ],
    [r.kind, 'latest', ms(r.http.latest.p50), ms(r.http.latest.p99), ms(r.direct.latest.p50), ms(r.direct.latest.p99), '', ''],
  ]),
);
for (const r of rows) console.log(`${r.kind}: ${r.loaded}`);
recordResults(
  'query',
  rows.flatMap((r) => [
    { name: `${r.kind}: ${DAYS}-day hourly mean over HTTP`, value: r.http.agg.p50, unit: 'ms p50', kind: 'latency' as const, p50Ms: r.http.agg.p50, p99Ms: r.http.agg.p99, reference: { name: 'QueryService in process', value: r.direct.agg.p50, unit: 'ms p50' }, ratio: r.http.agg.p50 / r.direct.agg.p50, target: `< ${TARGET_MS[r.kind]} ms p50`, met: r.http.agg.p50 < TARGET_MS[r.kind] },
    { name: `${r.kind}: latest over HTTP`, value: r.http.latest.p50, unit: 'ms p50', kind: 'latency' as const, p50Ms: r.http.latest.p50, p99Ms: r.http.latest.p99, reference: { name: 'QueryService in process', value: r.direct.latest.p50, unit: 'ms p50' }, ratio: r.http.latest.p50 / r.direct.latest.p50 },
  ]),
);
console.log('\nHTTP: sequential requests from this process to the platform (a child process). Service: QueryService on');
console.log('a second storage handle in this process. The machine is shared with other work: figures are noisy.');

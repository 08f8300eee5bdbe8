// npm run bench:storage [-- --storage sqlite|postgres|both] [--days 30] [--batch 3000] [--runs 30] [--rounds 5]
// Issue #17's storage benchmark. One device, `days` of 10-second readings of power, voltage and current
// (30 days = 777,600 points), sent one request at a time in batches of `batch` readings:
//   - line protocol to a private InfluxDB 1.x (Debian's influxd, a child process; skipped, saying so,
//     when it is not installed), the reference;
//   - line protocol to Fluxgate (POST /api/v2/write) and JSON to Fluxgate (POST /api/v1/telemetry),
//     each on SQLite and PostgreSQL, Fluxgate a child process with fresh storage. Each server first gets
//     WARMUP_BATCHES unrecorded requests of the same format on a warm-up device or database.
// All servers run side by side and the loads alternate between them in `rounds` rounds (each into a
// fresh database or device, the order rotating each round): ingest is reported as the median of the
// rounds, and each ratio as the median of the rounds' own ratios, so a slow moment of the shared
// machine does not decide a verdict.
// Then bytes on disk per point (first round) (allocated blocks, as du counts them; InfluxDB: data + WAL once flushed
// and compacted; Fluxgate: SQLite file growth after a checkpoint, or PostgreSQL relation sizes of the schema, rollups included) and the
// p50 of a 30-day hourly mean and of one day of raw history (all three fields, every page).
import path from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { adminToken, createDevices, getJson } from './lib/api.ts';
import { startPlatform } from './lib/children.ts';
import { type Influxd, diskBytes, startInfluxd } from './lib/influxd.ts';
import { percentile, sampleLatency } from './lib/latency.ts';
import { DATABASE_URL, benchEachStorage, printHardware } from './lib/raw-storage.ts';
import { type Figure, recordResults } from './lib/results.ts';
import { fmt, ms, printTable } from './lib/table.ts';

const { values: args } = parseArgs({
  options: {
    storage: { type: 'string', default: 'both' },
    days: { type: 'string', default: '30' },
    batch: { type: 'string', default: '3000' },
    runs: { type: 'string', default: '30' },
    rounds: { type: 'string', default: '5' },
  },
});
const DAYS = Number(args.days);
const BATCH = Number(args.batch);
const RUNS = Number(args.runs);
const ROUNDS = Math.max(1, Number(args.rounds));
const STEP = 10_000;
const DAY = 86_400_000;
const FIELDS = ['power', 'voltage', 'current'] as const;
/**
 * Requests sent first to a warm-up device (Fluxgate) or database (InfluxDB), unrecorded: a long-running
 * server has its code JIT-compiled and its caches warm, which the first requests after a start do not
 * (Node compiles as it goes; InfluxDB, in Go, does not). The same count for both.
 */
const WARMUP_BATCHES = 10;
/** #17's targets, as ratios to InfluxDB. */
const TARGETS = { bytes: 0.5, lineIngest: 1, jsonIngest: 0.8, hourly: 0.2, rawDay: 1 };

interface Reading {
  ts: number;
  power: number;
  voltage: number;
  current: number;
}

/** Deterministic meter readings ending at `end`: a daily load curve with wobble. */
function readings(end: number): Reading[] {
  const out: Reading[] = [];
  const count = (DAYS * DAY) / STEP;
  for (let i = 0; i < count; i++) {
    const ts = end - (count - i) * STEP;
    const daily = Math.sin((2 * Math.PI * (ts % DAY)) / DAY);
    const power = Math.round((1200 + 600 * daily + 40 * Math.sin(i / 7)) * 10) / 10;
    const voltage = Math.round((230 + 2 * Math.sin(i / 13)) * 10) / 10;
    out.push({ ts, power, voltage, current: Math.round((power / voltage) * 100) / 100 });
  }
  return out;
}

function batches<T>(all: T[], render: (chunk: T[]) => string): string[] {
  const out: string[] = [];
  for (let i = 0; i < all.length; i += BATCH) out.push(render(all.slice(i, i + BATCH)));
  return out;
}

const lineProtocol = (chunk: Reading[]) => chunk.map((r) => `meter power=${r.power},voltage=${r.voltage},current=${r.current} ${r.ts}`).join('\n');
const jsonBody = (chunk: Reading[]) => JSON.stringify(chunk.map((r) => ({ timestamp: r.ts, power: r.power, voltage: r.voltage, current: r.current })));

/** Sends the bodies one request at a time; returns the seconds from the first to the last answer. */
async function send(url: string, headers: Record<string, string>, bodies: string[]): Promise<number> {
  const t0 = performance.now();
  for (const body of bodies) {
    const res = await fetch(url, { method: 'POST', headers, body });
    const text = await res.text();
    if (res.status !== 204 && res.status !== 201) throw new Error(`${url} → ${res.status} ${text.slice(0, 300)}`);
  }
  return (performance.now() - t0) / 1000;
}

async function p50(fn: () => Promise<unknown>): Promise<number> {
  return percentile(await sampleLatency(RUNS, Math.min(5, RUNS), fn), 50);
}

interface Target {
  name: string;
  storage: 'influxdb' | 'sqlite' | 'postgres';
  /** Median of the rounds. */
  linePointsPerS: number;
  jsonPointsPerS?: number;
  /** Each round's points/s, and (Fluxgate) each round's ratio to that round's InfluxDB. */
  lineRounds: number[];
  jsonRounds?: number[];
  lineRatios?: number[];
  jsonRatios?: number[];
  bytesPerPoint: number;
  breakdown: string;
  hourlyP50: number;
  rawDayP50: number;
  /** Fluxgate: the same day as chart data (GET …/series in raw mode: every point, one array per field). */
  rawDayColumnsP50?: number;
}

/** Seconds of one load: line protocol, and JSON on Fluxgate. */
interface Load {
  line: number;
  json?: number;
}

/** A server under test, started and warmed up: its first load (bytes on disk measured), further loads, its queries. */
interface Subject {
  storage: Target['storage'];
  firstLoad(): Promise<Load>;
  load(round: number): Promise<Load>;
  /** The queries on the first load's data, with the loads' figures. */
  finish(loads: Load[]): Promise<Target>;
  stop(): Promise<void>;
}

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function influxSubject(influx: Influxd, data: Reading[], points: number): Promise<Subject> {
  const write = (db: string) => send(`${influx.url}/write?db=${db}&precision=ms`, { 'content-type': 'text/plain' }, batches(data, lineProtocol));
  /** Waits for the cache snapshot and full compaction (the size settles once both ran), so they neither count nor slow the next load. */
  const settled = async () => {
    let last = -1;
    for (let stable = 0, i = 0; stable < 3 && i < 60; i++) {
      await new Promise((r) => setTimeout(r, 2000));
      const now = influx.diskBytes();
      stable = now === last ? stable + 1 : 0;
      last = now;
    }
    return last;
  };
  await influx.query('CREATE DATABASE warmup');
  await send(`${influx.url}/write?db=warmup&precision=ms`, { 'content-type': 'text/plain' }, batches(data, lineProtocol).slice(0, WARMUP_BATCHES));
  let bytesPerPoint = Number.NaN;
  return {
    storage: 'influxdb',
    async firstLoad() {
      await influx.query('CREATE DATABASE bench');
      const before = influx.diskBytes();
      const line = await write('bench');
      console.log(`InfluxDB: line protocol in ${line.toFixed(1)} s; waiting for flush and compaction`);
      bytesPerPoint = ((await settled()) - before) / points;
      return { line };
    },
    async load(round) {
      await influx.query(`CREATE DATABASE bench_${round}`);
      const line = await write(`bench_${round}`);
      console.log(`InfluxDB, round ${round + 1}: line protocol in ${line.toFixed(2)} s`);
      await settled();
      return { line };
    },
    async finish(loads) {
      const end = data[data.length - 1]!.ts + 1;
      const hourly = `SELECT mean("power") FROM "meter" WHERE time >= now() - ${DAYS}d GROUP BY time(1h)`;
      const rawDay = `SELECT "power","voltage","current" FROM "meter" WHERE time >= ${end - DAY}ms AND time < ${end}ms`;
      const check = (await influx.query(rawDay, 'bench')) as { results: Array<{ series?: Array<{ values: unknown[] }> }> };
      const rows = check.results[0]?.series?.[0]?.values.length ?? 0;
      if (rows !== DAY / STEP) throw new Error(`InfluxDB returned ${rows} rows for one day, expected ${DAY / STEP}`);
      const lineRounds = loads.map((l) => points / l.line);
      return {
        name: `InfluxDB ${influx.version} (Debian influxd), line protocol`,
        storage: 'influxdb',
        linePointsPerS: median(lineRounds),
        lineRounds,
        bytesPerPoint,
        breakdown: 'TSM + WAL after flush and full compaction',
        hourlyP50: await p50(() => influx.query(hourly, 'bench')),
        rawDayP50: await p50(() => influx.query(rawDay, 'bench')),
      };
    },
    stop: () => influx.stop(),
  };
}

/** Bytes Fluxgate's storage holds now, and per table (for the breakdown). */
async function storageBytes(kind: 'sqlite' | 'postgres', dataDir: string, schema: string): Promise<{ total: number; tables: Map<string, number> }> {
  const tables = new Map<string, number>();
  if (kind === 'sqlite') {
    const file = path.join(dataDir, 'fluxgate.db');
    const db = new BetterSqlite3(file);
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
      try {
        for (const row of db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name').all() as Array<{ name: string; bytes: number }>) tables.set(row.name, row.bytes);
      } catch {
        // dbstat is not compiled in: totals only
      }
    } finally {
      db.close();
    }
    return { total: diskBytes(file) + diskBytes(`${file}-wal`), tables };
  }
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; bytes: string }>(
      `SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`,
      [schema],
    );
    let total = 0;
    for (const r of rows) {
      tables.set(r.name, Number(r.bytes));
      total += Number(r.bytes);
    }
    return { total, tables };
  } finally {
    await client.end();
  }
}

function growth(before: Map<string, number>, after: Map<string, number>, points: number): string {
  return [...after]
    .map(([name, bytes]) => [name, (bytes - (before.get(name) ?? 0)) / points] as const)
    .filter(([, perPoint]) => perPoint >= 0.5)
    .sort((a, b) => b[1] - a[1])
    .map(([name, perPoint]) => `${name} ${perPoint.toFixed(1)}`)
    .join(', ');
}

async function fluxgateSubject(kind: 'sqlite' | 'postgres', data: Reading[], points: number): Promise<Subject> {
  const schema = `bench_storage_${process.pid}_${Date.now().toString(36)}`;
  const platform = await startPlatform({ ...(kind === 'postgres' ? { databaseUrl: DATABASE_URL, databaseSchema: schema } : {}), env: { LINE_PROTOCOL_ENABLED: 'true' } });
  const stop = async () => {
    await platform.stop();
    if (kind === 'postgres') {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  };
  try {
    const token = await adminToken(platform.url);
    // Round r writes line protocol to devices[2r] and JSON to devices[2r + 1]; the last device warms up.
    const devices = await createDevices(platform.url, token, 2 * ROUNDS + 1, `storage-${kind}`);
    const warmDevice = devices[2 * ROUNDS]!;
    const writeLine = (key: string, bodies = batches(data, lineProtocol)) =>
      send(`${platform.url}/api/v2/write?precision=ms`, { authorization: `Token ${key}`, 'content-type': 'text/plain' }, bodies);
    const writeJson = (key: string, bodies = batches(data, jsonBody)) => send(`${platform.url}/api/v1/telemetry`, { 'x-api-key': key, 'content-type': 'application/json' }, bodies);
    // Compaction runs in the background within seconds; the bench asks for it at once, to measure after
    // it and so that it does not run during the next load (of any server).
    const compact = async () => {
      const res = await fetch(`${platform.url}/api/v1/admin/storage/compact`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      const text = await res.text();
      if (!res.ok) throw new Error(`compaction → ${res.status} ${text}`);
      return text;
    };
    await writeLine(warmDevice.key, batches(data, lineProtocol).slice(0, WARMUP_BATCHES));
    await writeJson(warmDevice.key, batches(data, jsonBody).slice(WARMUP_BATCHES, 2 * WARMUP_BATCHES));
    await compact();
    let bytesPerPoint = Number.NaN;
    let breakdown = '';
    const lineDevice = devices[0]!;
    return {
      storage: kind,
      async firstLoad() {
        const before = await storageBytes(kind, platform.dataDir, schema);
        const line = await writeLine(lineDevice.key);
        const beforeCompaction = await storageBytes(kind, platform.dataDir, schema);
        console.log(`Fluxgate ${kind}: line protocol in ${line.toFixed(1)} s; ${((beforeCompaction.total - before.total) / points).toFixed(1)} bytes/point before compaction`);
        const t0 = performance.now();
        const compacted = await compact();
        console.log(`Fluxgate ${kind}: compacted in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${compacted}`);
        const after = await storageBytes(kind, platform.dataDir, schema);
        bytesPerPoint = (after.total - before.total) / points;
        breakdown = growth(before.tables, after.tables, points) || 'totals only';
        const json = await writeJson(devices[1]!.key);
        await compact();
        console.log(`Fluxgate ${kind}: JSON in ${json.toFixed(1)} s`);
        return { line, json };
      },
      async load(round) {
        const line = await writeLine(devices[2 * round]!.key);
        await compact();
        const json = await writeJson(devices[2 * round + 1]!.key);
        await compact();
        console.log(`Fluxgate ${kind}, round ${round + 1}: line protocol in ${line.toFixed(2)} s, JSON in ${json.toFixed(2)} s`);
        return { line, json };
      },
      async finish(loads) {
        console.log(`Fluxgate ${kind}: timing queries`);
        const id = lineDevice.id;
        const end = data[data.length - 1]!.ts + 1;
        const hourlyUrl = `${platform.url}/api/v1/telemetry/${id}/aggregated?field=power&aggregation=mean&window=1h&start_time=-${DAYS}d`;
        const rawDay = async () => {
          let count = 0;
          let cursor: string | null = null;
          do {
            const page: { count: number; next_cursor: string | null } = await getJson(
              `${platform.url}/api/v1/telemetry/${id}?start_time=${end - DAY}&end_time=${end}&order=asc&limit=10000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
              token,
            );
            count += page.count;
            cursor = page.next_cursor;
          } while (cursor);
          return count;
        };
        // The dashboard's chart data: every point of the day when they fit max_points per field (mode raw),
        // as one time array and one value array per field, the shape InfluxDB answers in.
        const rawDayColumns = async () => {
          const chart = await getJson<{ mode: string; fields: Array<{ ts: number[] }> }>(
            `${platform.url}/api/v1/telemetry/${id}/series?start_time=${end - DAY}&end_time=${end}&max_points=10000`,
            token,
          );
          if (chart.mode !== 'raw') throw new Error(`chart data for one day came ${chart.mode}, not raw`);
          return chart.fields.reduce((n, f) => n + f.ts.length, 0);
        };
        const columnPoints = await rawDayColumns();
        if (columnPoints !== (DAY / STEP) * FIELDS.length) throw new Error(`Fluxgate's chart data held ${columnPoints} points for one day, expected ${(DAY / STEP) * FIELDS.length}`);
        const dayPoints = await rawDay();
        if (dayPoints !== (DAY / STEP) * FIELDS.length) throw new Error(`Fluxgate returned ${dayPoints} points for one day, expected ${(DAY / STEP) * FIELDS.length}`);
        const buckets = (await getJson<{ buckets: Array<{ count: number }> }>(hourlyUrl, token)).buckets;
        const counted = buckets.reduce((n, b) => n + b.count, 0);
        if (counted < 0.99 * data.length) throw new Error(`the hourly mean covered ${counted} readings, expected about ${data.length}`);
        const lineRounds = loads.map((l) => points / l.line);
        const jsonRounds = loads.map((l) => points / l.json!);
        return {
          name: `Fluxgate ${kind}`,
          storage: kind,
          linePointsPerS: median(lineRounds),
          jsonPointsPerS: median(jsonRounds),
          lineRounds,
          jsonRounds,
          bytesPerPoint,
          breakdown,
          hourlyP50: await p50(() => getJson(hourlyUrl, token)),
          rawDayP50: await p50(rawDay),
          rawDayColumnsP50: await p50(rawDayColumns),
        };
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

printHardware(`storage bench (#17): one device, ${DAYS} days of ${STEP / 1000}-second power/voltage/current, batches of ${BATCH} readings, one request at a time, ${RUNS} timed query runs`);
const end = Math.floor(Date.now() / STEP) * STEP;
const data = readings(end);
const points = data.length * FIELDS.length;
console.log(`data set: ${fmt(points)} points (${fmt(data.length)} readings × ${FIELDS.length} fields)`);

const subjects: Subject[] = [];
const influx = await startInfluxd();
if (typeof influx === 'string') console.log(`SKIP InfluxDB: ${influx}; Fluxgate runs alone, without ratios`);
const targets: Target[] = [];
try {
  if (typeof influx !== 'string') subjects.push(await influxSubject(influx, data, points));
  subjects.push(...(await benchEachStorage(args.storage, (kind) => fluxgateSubject(kind, data, points))));
  const loads = new Map<Subject, Load[]>();
  for (const subject of subjects) loads.set(subject, [await subject.firstLoad()]);
  for (let round = 1; round < ROUNDS; round++) {
    // Each round starts with another server, so none always loads right after the same one.
    const order = subjects.map((_, i) => subjects[(i + round) % subjects.length]!);
    for (const subject of order) loads.get(subject)!.push(await subject.load(round));
  }
  for (const subject of subjects) targets.push(await subject.finish(loads.get(subject)!));
} finally {
  for (const subject of subjects) await subject.stop().catch(() => {});
  if (typeof influx !== 'string' && !subjects.some((x) => x.storage === 'influxdb')) await influx.stop();
}

const ref = targets.find((t) => t.storage === 'influxdb');
// Each round's ratio to that round's InfluxDB load; the verdict takes their median.
for (const t of targets) {
  if (t === ref || !ref) continue;
  t.lineRatios = t.lineRounds.map((v, i) => v / ref.lineRounds[i]!);
  t.jsonRatios = t.jsonRounds?.map((v, i) => v / ref.lineRounds[i]!);
}

const ratio = (value: number, of: number | undefined) => (of ? value / of : undefined);
const ratioText = (r: number | undefined) => (r === undefined ? '—' : `${r.toFixed(2)}×`);
const verdict = (r: number | undefined, ok: (r: number) => boolean) => (r === undefined ? '—' : ok(r) ? 'yes' : 'NO');

const medianRatio = (rs: readonly number[] | undefined) => (rs && rs.length > 0 ? median(rs) : undefined);
const roundsText = (rs: readonly number[] | undefined) => (rs ? rs.map((r) => r.toFixed(2)).join(' / ') : '');
printTable(
  `Ingest, one request at a time (points/s, median of ${ROUNDS} rounds; ratio: median of each round's ratio)`,
  ['target', 'line protocol', 'vs InfluxDB (≥ 1×)', 'rounds', 'met', 'JSON', 'vs InfluxDB (≥ 0.8×)', 'rounds', 'met'],
  targets.map((t) => {
    const line = medianRatio(t.lineRatios);
    const json = medianRatio(t.jsonRatios);
    const own = t === ref;
    return [
      t.name,
      fmt(t.linePointsPerS),
      own ? 'reference' : ratioText(line),
      own ? t.lineRounds.map((v) => fmt(v)).join(' / ') : roundsText(t.lineRatios),
      own ? '' : verdict(line, (r) => r >= TARGETS.lineIngest),
      t.jsonPointsPerS === undefined ? '' : fmt(t.jsonPointsPerS),
      own ? '' : ratioText(json),
      own ? '' : roundsText(t.jsonRatios),
      own ? '' : verdict(json, (r) => r >= TARGETS.jsonIngest),
    ];
  }),
);
printTable(
  'Bytes on disk per point (after the line protocol load)',
  ['target', 'bytes/point', 'vs InfluxDB (≤ 0.5×)', 'met', 'per table (bytes/point)'],
  targets.map((t) => {
    const r = ratio(t.bytesPerPoint, ref?.bytesPerPoint);
    return [t.name, t.bytesPerPoint.toFixed(1), t === ref ? 'reference' : ratioText(r), t === ref ? '' : verdict(r, (x) => x <= TARGETS.bytes), t.breakdown];
  }),
);
printTable(
  'Queries, p50 (sequential, over HTTP)',
  [
    'target',
    `${DAYS}-day hourly mean`,
    'vs InfluxDB (≤ 0.2×)',
    'met',
    `one day raw (${fmt((DAY / STEP) * FIELDS.length)} points), history pages`,
    'vs InfluxDB (≤ 1×)',
    'met',
    'same day, chart columns (/series)',
    'vs InfluxDB (≤ 1×)',
    'met',
  ],
  targets.map((t) => {
    const h = ratio(t.hourlyP50, ref?.hourlyP50);
    const d = ratio(t.rawDayP50, ref?.rawDayP50);
    const c = t.rawDayColumnsP50 === undefined ? undefined : ratio(t.rawDayColumnsP50, ref?.rawDayP50);
    const own = t === ref;
    return [
      t.name,
      ms(t.hourlyP50),
      own ? 'reference' : ratioText(h),
      own ? '' : verdict(h, (x) => x <= TARGETS.hourly),
      ms(t.rawDayP50),
      own ? 'reference' : ratioText(d),
      own ? '' : verdict(d, (x) => x <= TARGETS.rawDay),
      t.rawDayColumnsP50 === undefined ? '' : ms(t.rawDayColumnsP50),
      own || c === undefined ? '' : ratioText(c),
      own || c === undefined ? '' : verdict(c, (x) => x <= TARGETS.rawDay),
    ];
  }),
);

const figures: Figure[] = [];
for (const t of targets.filter((x) => x !== ref)) {
  const reference = (name: string, value: number, unit: string) => (ref ? { reference: { name: `${ref.name}: ${name}`, value, unit } } : {});
  const met = (r: number | undefined, ok: (r: number) => boolean) => (r === undefined ? {} : { ratio: r, met: ok(r) });
  figures.push(
    { name: `${t.storage}: line protocol ingest`, value: t.linePointsPerS, unit: 'points/s', kind: 'throughput', ...reference('line protocol', ref?.linePointsPerS ?? 0, 'points/s'), target: '≥ 1× InfluxDB', ...met(medianRatio(t.lineRatios), (r) => r >= TARGETS.lineIngest), note: `median of ${ROUNDS} rounds; per round ${roundsText(t.lineRatios)}` },
    { name: `${t.storage}: JSON ingest`, value: t.jsonPointsPerS ?? NaN, unit: 'points/s', kind: 'throughput', ...reference('line protocol', ref?.linePointsPerS ?? 0, 'points/s'), target: '≥ 0.8× InfluxDB', ...met(medianRatio(t.jsonRatios), (r) => r >= TARGETS.jsonIngest), note: `median of ${ROUNDS} rounds; per round ${roundsText(t.jsonRatios)}` },
    { name: `${t.storage}: bytes on disk per point`, value: t.bytesPerPoint, unit: 'bytes/point', ...reference('bytes on disk', ref?.bytesPerPoint ?? 0, 'bytes/point'), target: '≤ 0.5× InfluxDB', ...met(ratio(t.bytesPerPoint, ref?.bytesPerPoint), (r) => r <= TARGETS.bytes), note: t.breakdown },
    { name: `${t.storage}: ${DAYS}-day hourly mean`, value: t.hourlyP50, unit: 'ms p50', kind: 'latency', p50Ms: t.hourlyP50, ...reference('hourly mean', ref?.hourlyP50 ?? 0, 'ms p50'), target: '≤ 0.2× InfluxDB', ...met(ratio(t.hourlyP50, ref?.hourlyP50), (r) => r <= TARGETS.hourly) },
    { name: `${t.storage}: one day of raw history as chart columns (/series, mode raw)`, value: t.rawDayColumnsP50 ?? NaN, unit: 'ms p50', kind: 'latency', p50Ms: t.rawDayColumnsP50 ?? NaN, ...reference('one day raw', ref?.rawDayP50 ?? 0, 'ms p50'), target: '≤ 1× InfluxDB', ...met(ratio(t.rawDayColumnsP50 ?? NaN, ref?.rawDayP50), (r) => r <= TARGETS.rawDay) },
    { name: `${t.storage}: one day of raw history`, value: t.rawDayP50, unit: 'ms p50', kind: 'latency', p50Ms: t.rawDayP50, ...reference('one day raw', ref?.rawDayP50 ?? 0, 'ms p50'), target: '≤ 1× InfluxDB', ...met(ratio(t.rawDayP50, ref?.rawDayP50), (r) => r <= TARGETS.rawDay) },
  );
}
recordResults('storage', figures);
console.log('\nEach server is a child process; this process sends and times. The machine is shared with other work: figures are noisy.');

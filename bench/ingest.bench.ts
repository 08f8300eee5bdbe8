// npm run bench:ingest [-- --storage postgres] [--rounds 3] [--duration 5]
// HTTP ingest against the real platform (a child process) next to the raw storage limit and bare
// fastify, measured in the same run on this machine. Each round measures all four in turn, so a
// burst of load from elsewhere hits one round, not one figure; the table shows medians of rounds.
import { parseArgs } from 'node:util';
import { adminToken, commitStats, createDevices } from './lib/api.ts';
import { startHello, startPlatform } from './lib/children.ts';
import { type LoadResult, runLoad } from './lib/load.ts';
import { Clock, batchBody, batchPoints, singleBody } from './lib/points.ts';
import { type RawStorage, openRawStorage, printHardware, registerRawDevices } from './lib/raw-storage.ts';
import { ingestFigures } from './lib/results.ts';
import { fmt, median, ms, printTable } from './lib/table.ts';

const { values: args } = parseArgs({
  options: {
    storage: { type: 'string', default: 'sqlite' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    devices: { type: 'string', default: '64' },
    'batch-connections': { type: 'string', default: '32' },
    'single-connections': { type: 'string', default: '64' },
    /** Which HTTP phases to run (e.g. one, to profile it): batched,single */
    phases: { type: 'string', default: 'batched,single' },
  },
});
const storageKind = args.storage === 'postgres' ? 'postgres' : 'sqlite';
const duration = Number(args.duration);
const rounds = Number(args.rounds);
const phases = new Set(args.phases.split(','));
const BATCH = 100;
const RAW_TX_POINTS = 50_000;

interface Raw {
  rowsPerSec: number;
  cpuPerRow: number;
}
type Http = LoadResult & { pointsPerCommit?: number; commitMs?: number };

async function rawLimit(raw: RawStorage, deviceIds: string[], clock: Clock): Promise<Raw> {
  const perDevice = Math.ceil(RAW_TX_POINTS / deviceIds.length);
  const tx = () => deviceIds.flatMap((id) => batchPoints(clock, id, perDevice));
  let rows = 0;
  let spent = 0;
  let cpu = 0;
  while (spent < duration * 1000) {
    const points = tx(); // built outside the timed part: only storage is measured
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = await raw.storage.writePoints(points);
    const c = process.cpuUsage(c0);
    cpu += (c.user + c.system) / 1e6;
    spent += performance.now() - t0;
    if (r.duplicates !== 0) throw new Error(`raw insert saw ${r.duplicates} duplicates`);
    rows += r.inserted;
  }
  return { rowsPerSec: rows / (spent / 1000), cpuPerRow: cpu / rows };
}

/** A load run with the platform's group-commit figures (from /metrics) over the same interval. */
async function withCommits(base: string, run: () => Promise<LoadResult>): Promise<Http> {
  const before = await commitStats(base);
  const r = await run();
  const after = await commitStats(base);
  const commits = after.commits - before.commits;
  return { ...r, pointsPerCommit: (after.points - before.points) / commits, commitMs: ((after.seconds - before.seconds) / commits) * 1000 };
}

function check(name: string, r: LoadResult): void {
  if (r.non2xx > 0 || r.errors > 0) console.warn(`WARNING ${name}: ${r.non2xx} non-2xx answers, ${r.errors} errors of ${r.requests}`);
}

printHardware(`ingest bench, storage ${storageKind}, ${rounds} rounds of ${duration} s per figure`);

const clock = new Clock();
const deviceCount = Number(args.devices);
const rawDevices = Array.from({ length: deviceCount }, (_, i) => `raw-${i}`);
const raw = await openRawStorage(storageKind);
await registerRawDevices(raw, rawDevices);
const hello = await startHello();
const pgSchema = storageKind === 'postgres' ? `bench_${process.pid}_${Date.now().toString(36)}` : undefined;
const platform = await startPlatform(pgSchema ? { databaseUrl: raw.url!, databaseSchema: pgSchema } : {});

const results: Array<{ raw: Raw; hello: LoadResult; batched?: Http; single?: Http }> = [];
try {
  const token = await adminToken(platform.url);
  const devices = await createDevices(platform.url, token, deviceCount);
  let nextDevice = 0;
  const deviceOf = (conn: Record<string, unknown>) => {
    conn.device ??= devices[nextDevice++ % devices.length];
    return conn.device as { id: string; key: string };
  };
  const common = {
    url: `${platform.url}/api/v1/telemetry`,
    method: 'POST' as const,
    serverPid: platform.pid,
    connectionHeaders: (c: Record<string, unknown>) => ({ 'x-api-key': deviceOf(c).key }),
  };
  const batchOpts = { ...common, connections: Number(args['batch-connections']), body: (c: Record<string, unknown>) => batchBody(clock, deviceOf(c).id, BATCH) };
  const singleOpts = { ...common, connections: Number(args['single-connections']), body: (c: Record<string, unknown>) => singleBody(clock, deviceOf(c).id) };
  const helloOpts = { url: hello.url, connections: Number(args['single-connections']), serverPid: hello.pid };

  // Warm-up: JIT, statement caches, pages, connections.
  await raw.storage.writePoints(rawDevices.flatMap((id) => batchPoints(clock, id, 500)));
  await runLoad({ ...helloOpts, durationSec: 2 });
  if (phases.has('batched')) await runLoad({ ...batchOpts, durationSec: 2 });
  if (phases.has('single')) await runLoad({ ...singleOpts, durationSec: 2 });

  for (let round = 1; round <= rounds; round++) {
    const r: (typeof results)[number] = { raw: await rawLimit(raw, rawDevices, clock), hello: await runLoad({ ...helloOpts, durationSec: duration }) };
    check('hello', r.hello);
    if (phases.has('batched')) {
      r.batched = await withCommits(platform.url, () => runLoad({ ...batchOpts, durationSec: duration }));
      check('batched', r.batched);
    }
    if (phases.has('single')) {
      r.single = await withCommits(platform.url, () => runLoad({ ...singleOpts, durationSec: duration }));
      check('single', r.single);
    }
    results.push(r);
    const b = r.batched ? `batched ${fmt(r.batched.requestsPerSec * BATCH)} points/s (${fmt(r.batched.pointsPerCommit!)} per commit)` : '';
    const s = r.single ? `single ${fmt(r.single.requestsPerSec)} req/s (${fmt(r.single.pointsPerCommit!)} per commit)` : '';
    console.log(`round ${round}: raw ${fmt(r.raw.rowsPerSec)} rows/s, hello ${fmt(r.hello.requestsPerSec)} req/s, ${b} ${s}`);
  }
} finally {
  await platform.stop();
  await hello.stop();
  await raw.close();
  if (pgSchema) await raw.dropSchema(pgSchema);
}

const m = (f: (r: (typeof results)[number]) => number | undefined) => median(results.map(f).filter((v): v is number => v !== undefined));
const rawRows = m((r) => r.raw.rowsPerSec);
const batchedPoints = m((r) => r.batched && r.batched.requestsPerSec * BATCH);
const share = m((r) => r.batched && (r.batched.requestsPerSec * BATCH) / r.raw.rowsPerSec);
const singleRps = m((r) => r.single?.requestsPerSec);
const helloRps = m((r) => r.hello.requestsPerSec);
const singleShare = m((r) => r.single && r.single.requestsPerSec / r.hello.requestsPerSec);
const us = (sec: number) => (Number.isFinite(sec) ? `${(sec * 1e6).toFixed(1)} µs` : '');
const met = (ok: boolean) => (storageKind === 'sqlite' ? (ok ? 'yes' : 'NO') : 'n/a');

const rows: string[][] = [];
if (phases.has('batched')) {
  rows.push([
    `HTTP batches of ${BATCH} points, ${args['batch-connections']} conns`,
    `${fmt(batchedPoints)} points/s`,
    ms(m((r) => r.batched?.p50Ms)),
    ms(m((r) => r.batched?.p99Ms)),
    `${us(m((r) => r.batched && r.batched.serverCpuPerRequest! / BATCH))}/point`,
    `raw adapter ${fmt(rawRows)} rows/s: ${fmt(share * 100)}%`,
    '≥ 50% of raw',
    met(share >= 0.5),
  ]);
}
if (phases.has('single')) {
  rows.push([
    `HTTP single-point requests, ${args['single-connections']} conns`,
    `${fmt(singleRps)} req/s`,
    ms(m((r) => r.single?.p50Ms)),
    ms(m((r) => r.single?.p99Ms)),
    `${us(m((r) => r.single?.serverCpuPerRequest))}/req`,
    `bare fastify ${fmt(helloRps)} req/s: ${fmt(singleShare * 100)}%`,
    '≥ 20,000 req/s',
    met(singleRps >= 20_000),
  ]);
}
rows.push([`raw ${storageKind} writePoints, ${fmt(RAW_TX_POINTS)} per tx`, `${fmt(rawRows)} rows/s`, '', '', `${us(m((r) => r.raw.cpuPerRow))}/row`, '', '', '']);
rows.push([
  `bare fastify GET /, ${args['single-connections']} conns`,
  `${fmt(helloRps)} req/s`,
  ms(m((r) => r.hello.p50Ms)),
  ms(m((r) => r.hello.p99Ms)),
  `${us(m((r) => r.hello.serverCpuPerRequest))}/req`,
  '',
  '',
  '',
]);
const durability = storageKind === 'sqlite' ? 'WAL + synchronous=FULL' : 'synchronous_commit as configured';
printTable(`Ingest, ${storageKind}, median of ${rounds} rounds (${durability}, ack after commit, rollups included)`, ['measure', 'figure', 'p50', 'p99', 'server CPU', 'reference (same rounds)', 'target', 'met'], rows);
ingestFigures(storageKind, {
  batched: phases.has('batched') ? { pointsPerS: batchedPoints, p50Ms: m((r) => r.batched?.p50Ms), p99Ms: m((r) => r.batched?.p99Ms), rawRowsPerS: rawRows, share } : undefined,
  single: phases.has('single') ? { reqPerS: singleRps, p50Ms: m((r) => r.single?.p50Ms), p99Ms: m((r) => r.single?.p99Ms), helloReqPerS: helloRps, share: singleShare } : undefined,
});
if (phases.has('batched')) console.log(`\ngroup commit, batched: ${fmt(m((r) => r.batched?.pointsPerCommit))} points per commit, ${m((r) => r.batched?.commitMs).toFixed(2)} ms each`);
if (phases.has('single')) console.log(`group commit, single-point: ${fmt(m((r) => r.single?.pointsPerCommit))} points per commit, ${m((r) => r.single?.commitMs).toFixed(2)} ms each`);
console.log('\nShares are medians of per-round ratios. Server CPU: CPU time of the server process (all threads) per point or');
console.log('request; for raw, of this process per row. The machine is shared with other work: figures are noisy.');

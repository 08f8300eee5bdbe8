// npm run bench:ingest [-- --storage postgres] [--duration 10]
// HTTP ingest against the real platform (a child process) next to the raw storage limit and bare
// fastify, all measured in this run on this machine.
import { parseArgs } from 'node:util';
import { printHardware, openRawStorage, type RawStorage } from './lib/raw-storage.ts';
import { adminToken, commitStats, createDevices } from './lib/api.ts';
import { startHello, startPlatform } from './lib/children.ts';
import { runLoad, type LoadResult } from './lib/load.ts';
import { Clock, batchBody, batchPoints, singleBody } from './lib/points.ts';
import { fmt, ms, printTable } from './lib/table.ts';

const { values: args } = parseArgs({
  options: {
    storage: { type: 'string', default: 'sqlite' },
    duration: { type: 'string', default: '10' },
    devices: { type: 'string', default: '50' },
    'batch-connections': { type: 'string', default: '32' },
    'single-connections': { type: 'string', default: '64' },
    /** Skip the batched or single-point phase (e.g. to profile one): batched,single */
    phases: { type: 'string', default: 'batched,single' },
  },
});
const storageKind = args.storage === 'postgres' ? 'postgres' : 'sqlite';
const duration = Number(args.duration);
const BATCH = 100;
const RAW_TX_POINTS = 50_000;

async function rawLimit(raw: RawStorage, deviceIds: string[], clock: Clock): Promise<{ rowsPerSec: number; rows: number; cpuPerRow: number }> {
  const perDevice = RAW_TX_POINTS / deviceIds.length;
  const tx = () => deviceIds.flatMap((id) => batchPoints(clock, id, perDevice));
  await raw.storage.writePoints(tx()); // warm-up: statements prepared, pages cached
  let rows = 0;
  let spent = 0;
  let cpu = 0;
  const budget = Math.min(duration, 8) * 1000;
  while (spent < budget) {
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
  return { rowsPerSec: rows / (spent / 1000), rows, cpuPerRow: cpu / rows };
}

async function measured(base: string, run: () => Promise<LoadResult>): Promise<LoadResult & { commitNote: string }> {
  const before = await commitStats(base);
  const r = await run();
  const after = await commitStats(base);
  const commits = after.commits - before.commits;
  const perCommit = (after.points - before.points) / commits;
  const commitMs = ((after.seconds - before.seconds) / commits) * 1000;
  return { ...r, commitNote: `${fmt(commits)} commits, ${fmt(perCommit, 1)} points and ${commitMs.toFixed(2)} ms each` };
}

function check(name: string, r: LoadResult): void {
  if (r.non2xx > 0 || r.errors > 0) console.warn(`WARNING ${name}: ${r.non2xx} non-2xx answers, ${r.errors} errors of ${r.requests}`);
}

printHardware(`ingest bench, storage ${storageKind}, ${duration} s per HTTP run`);

// (c) raw storage limit, in this process, before any server runs.
const clock = new Clock();
const rawDevices = Array.from({ length: Number(args.devices) }, (_, i) => `raw-${i}`);
const raw = await openRawStorage(storageKind);
let rawResult: Awaited<ReturnType<typeof rawLimit>>;
try {
  rawResult = await rawLimit(raw, rawDevices, clock);
} finally {
  await raw.close();
}
console.log(`raw ${storageKind} writePoints, ${fmt(RAW_TX_POINTS)} points per transaction: ${fmt(rawResult.rowsPerSec)} rows/s (${fmt(rawResult.rows)} rows)`);

// (d) bare fastify.
const hello = await startHello();
let helloResult: LoadResult;
try {
  await runLoad({ url: hello.url, connections: 64, durationSec: 2 });
  helloResult = await runLoad({ url: hello.url, connections: 64, durationSec: duration, serverPid: hello.pid });
  check('hello', helloResult);
} finally {
  await hello.stop();
}
console.log(`bare fastify: ${fmt(helloResult.requestsPerSec)} req/s`);

// (a) and (b) against the platform.
const pgSchema = storageKind === 'postgres' ? `bench_${process.pid}_${Date.now().toString(36)}` : undefined;
const platform = await startPlatform(
  pgSchema ? { databaseUrl: raw.url!, databaseSchema: pgSchema } : {},
);
const phases = new Set(args.phases.split(','));
const NONE: LoadResult = { requestsPerSec: 0, p50Ms: 0, p99Ms: 0, requests: 0, non2xx: 0, errors: 0, durationSec: 0 };
let batched: LoadResult & { commitNote?: string } = NONE;
let single: LoadResult & { commitNote?: string } = NONE;
try {
  const token = await adminToken(platform.url);
  const devices = await createDevices(platform.url, token, Number(args.devices));
  let nextDevice = 0;
  const deviceOf = (conn: Record<string, unknown>) => {
    conn.device ??= devices[nextDevice++ % devices.length];
    return conn.device as { id: string; key: string };
  };
  const url = `${platform.url}/api/v1/telemetry`;
  const common = { url, method: 'POST' as const, serverPid: platform.pid, connectionHeaders: (c: Record<string, unknown>) => ({ 'x-api-key': deviceOf(c).key }) };
  const batchOpts = { ...common, connections: Number(args['batch-connections']), body: (c: Record<string, unknown>) => batchBody(clock, deviceOf(c).id, BATCH) };
  if (phases.has('batched')) {
    await runLoad({ ...batchOpts, durationSec: 2 });
    batched = await measured(platform.url, () => runLoad({ ...batchOpts, durationSec: duration }));
    check('batched', batched);
  }
  const singleOpts = { ...common, connections: Number(args['single-connections']), body: (c: Record<string, unknown>) => singleBody(clock, deviceOf(c).id) };
  if (phases.has('single')) {
    await runLoad({ ...singleOpts, durationSec: 2 });
    single = await measured(platform.url, () => runLoad({ ...singleOpts, durationSec: duration }));
    check('single', single);
  }
} finally {
  await platform.stop();
  if (pgSchema) await raw.dropSchema(pgSchema);
}

const batchedPoints = batched.requestsPerSec * BATCH;
const share = batchedPoints / rawResult.rowsPerSec;
const us = (sec: number | undefined, per = 1) => (sec === undefined || !Number.isFinite(sec) ? '' : `${((sec / per) * 1e6).toFixed(1)} µs`);
const met = (ok: boolean) => (storageKind === 'sqlite' ? (ok ? 'yes' : 'NO') : 'n/a');
printTable(
  `Ingest (${storageKind}; WAL + synchronous=FULL, ack after commit, rollups included)`,
  ['measure', 'figure', 'p50', 'p99', 'CPU per unit', 'reference (same run)', 'target', 'met'],
  [
    [
      `HTTP batches of ${BATCH} points, ${args['batch-connections']} conns`,
      `${fmt(batchedPoints)} points/s`,
      ms(batched.p50Ms),
      ms(batched.p99Ms),
      `${us(batched.serverCpuPerRequest, BATCH)}/point`,
      `raw adapter ${fmt(rawResult.rowsPerSec)} rows/s (${fmt(share * 100)}%)`,
      '≥ 50% of raw',
      met(share >= 0.5),
    ],
    [
      `HTTP single-point requests, ${args['single-connections']} conns`,
      `${fmt(single.requestsPerSec)} req/s`,
      ms(single.p50Ms),
      ms(single.p99Ms),
      `${us(single.serverCpuPerRequest)}/req`,
      `bare fastify ${fmt(helloResult.requestsPerSec)} req/s (${fmt((single.requestsPerSec / helloResult.requestsPerSec) * 100)}%)`,
      '≥ 20,000 req/s',
      met(single.requestsPerSec >= 20_000),
    ],
    [`raw ${storageKind} writePoints, ${fmt(RAW_TX_POINTS)} per tx`, `${fmt(rawResult.rowsPerSec)} rows/s`, '', '', `${us(rawResult.cpuPerRow)}/row`, '', '', ''],
    [
      'bare fastify GET /, 64 conns',
      `${fmt(helloResult.requestsPerSec)} req/s`,
      ms(helloResult.p50Ms),
      ms(helloResult.p99Ms),
      `${us(helloResult.serverCpuPerRequest)}/req`,
      '',
      '',
      '',
    ],
  ],
);
if (batched.commitNote) console.log(`\ngroup commit, batched: ${batched.commitNote}`);
if (single.commitNote) console.log(`group commit, single-point: ${single.commitNote}`);
console.log('\nCPU per unit: CPU time of the server process (all threads) per point/request; of this process per raw row.');
console.log('The machine is shared with other work: figures are noisy; run a few times and take the median.');

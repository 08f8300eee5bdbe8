// npm run bench:ingest [-- --storage postgres] [--duration 10]
// HTTP ingest against the real platform (a child process) next to the raw storage limit and bare
// fastify, all measured in this run on this machine.
import { parseArgs } from 'node:util';
import { printHardware, openRawStorage, type RawStorage } from './lib/raw-storage.ts';
import { adminToken, createDevices } from './lib/api.ts';
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
  },
});
const storageKind = args.storage === 'postgres' ? 'postgres' : 'sqlite';
const duration = Number(args.duration);
const BATCH = 100;
const RAW_TX_POINTS = 50_000;

async function rawLimit(raw: RawStorage, deviceIds: string[], clock: Clock): Promise<{ rowsPerSec: number; rows: number }> {
  const perDevice = RAW_TX_POINTS / deviceIds.length;
  const tx = () => deviceIds.flatMap((id) => batchPoints(clock, id, perDevice));
  await raw.storage.writePoints(tx()); // warm-up: statements prepared, pages cached
  let rows = 0;
  let spent = 0;
  const budget = Math.min(duration, 8) * 1000;
  while (spent < budget) {
    const points = tx(); // built outside the timed part: only storage is measured
    const t0 = performance.now();
    const r = await raw.storage.writePoints(points);
    spent += performance.now() - t0;
    if (r.duplicates !== 0) throw new Error(`raw insert saw ${r.duplicates} duplicates`);
    rows += r.inserted;
  }
  return { rowsPerSec: rows / (spent / 1000), rows };
}

function check(name: string, r: LoadResult): void {
  if (r.non2xx > 0 || r.errors > 0) console.warn(`WARNING ${name}: ${r.non2xx} non-2xx answers, ${r.errors} errors of ${r.requests}`);
}

printHardware(`ingest bench, storage ${storageKind}, ${duration} s per HTTP run`);

// (c) raw storage limit, in this process, before any server runs.
const clock = new Clock();
const rawDevices = Array.from({ length: Number(args.devices) }, (_, i) => `raw-${i}`);
const raw = await openRawStorage(storageKind);
let rawResult: { rowsPerSec: number; rows: number };
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
  helloResult = await runLoad({ url: hello.url, connections: 64, durationSec: duration });
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
let batched: LoadResult;
let single: LoadResult;
try {
  const token = await adminToken(platform.url);
  const devices = await createDevices(platform.url, token, Number(args.devices));
  let nextDevice = 0;
  const deviceOf = (conn: Record<string, unknown>) => {
    conn.device ??= devices[nextDevice++ % devices.length];
    return conn.device as { id: string; key: string };
  };
  const url = `${platform.url}/api/v1/telemetry`;
  const common = { url, method: 'POST' as const, connectionHeaders: (c: Record<string, unknown>) => ({ 'x-api-key': deviceOf(c).key }) };
  const batchOpts = { ...common, connections: Number(args['batch-connections']), body: (c: Record<string, unknown>) => batchBody(clock, deviceOf(c).id, BATCH) };
  await runLoad({ ...batchOpts, durationSec: 2 });
  batched = await runLoad({ ...batchOpts, durationSec: duration });
  check('batched', batched);
  const singleOpts = { ...common, connections: Number(args['single-connections']), body: (c: Record<string, unknown>) => singleBody(clock, deviceOf(c).id) };
  await runLoad({ ...singleOpts, durationSec: 2 });
  single = await runLoad({ ...singleOpts, durationSec: duration });
  check('single', single);
} finally {
  await platform.stop();
  if (pgSchema) await raw.dropSchema(pgSchema);
}

const batchedPoints = batched.requestsPerSec * BATCH;
const share = batchedPoints / rawResult.rowsPerSec;
printTable(
  `Ingest (${storageKind}; WAL + synchronous=FULL, ack after commit, rollups included)`,
  ['measure', 'figure', 'p50', 'p99', 'reference (same run)', 'target', 'met'],
  [
    [
      `HTTP batches of ${BATCH} points, ${args['batch-connections']} conns`,
      `${fmt(batchedPoints)} points/s`,
      ms(batched.p50Ms),
      ms(batched.p99Ms),
      `raw adapter ${fmt(rawResult.rowsPerSec)} rows/s (${fmt(share * 100)}%)`,
      '≥ 50% of raw',
      storageKind === 'sqlite' ? (share >= 0.5 ? 'yes' : 'NO') : 'n/a',
    ],
    [
      `HTTP single-point requests, ${args['single-connections']} conns`,
      `${fmt(single.requestsPerSec)} req/s`,
      ms(single.p50Ms),
      ms(single.p99Ms),
      `bare fastify ${fmt(helloResult.requestsPerSec)} req/s`,
      '≥ 20,000 req/s',
      storageKind === 'sqlite' ? (single.requestsPerSec >= 20_000 ? 'yes' : 'NO') : 'n/a',
    ],
    [`raw ${storageKind} writePoints, ${fmt(RAW_TX_POINTS)} per tx`, `${fmt(rawResult.rowsPerSec)} rows/s`, '', '', '', '', ''],
    ['bare fastify GET /, 64 conns', `${fmt(helloResult.requestsPerSec)} req/s`, ms(helloResult.p50Ms), ms(helloResult.p99Ms), '', '', ''],
  ],
);
console.log('\nThe machine is shared with other work: figures are noisy; run a few times and take the median.');

// npm run bench:cluster [-- --seconds 10 --connections 32 --batch 100 --nodes 1,2,3]
// Stored points per second through nginx with 1, 2 and 3 nodes in one run: for each count, a fresh
// cluster (scripts/cluster: PostgreSQL schema, private Mosquitto, nodes in external broker mode,
// nginx) takes batched HTTP telemetry (autocannon, one device per connection, every point new) for
// a fixed time. Stored points are counted in PostgreSQL, not from the answers. CPU per point is the
// nodes' process CPU time (/proc) over the points stored; nginx's and the whole machine's busy share
// are printed beside it, to show what saturates first.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { type Cluster, startCluster } from '../scripts/cluster/cluster.ts';
import { cpuSecondsWithChildren } from '../scripts/cluster/processes.ts';
import { TEST_DATABASE_URL } from '../test/helpers/services.ts';
import { adminToken, createDevices } from './lib/api.ts';
import { ADMIN_PASSWORD } from './lib/children.ts';
import { printHardware } from './lib/raw-storage.ts';
import { runLoad } from './lib/load.ts';
import { Clock, batchBody } from './lib/points.ts';
import { fmt, printTable } from './lib/table.ts';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    batch: { type: 'string', default: '100' },
    nodes: { type: 'string', default: '1,2,3' },
    'database-url': { type: 'string', default: TEST_DATABASE_URL },
  },
});
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const BATCH = Number(args.batch);
const COUNTS = args.nodes.split(',').map(Number);

/** Busy and total jiffies of the whole machine (all cores), from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = cpu[3]! + cpu[4]!;
  const total = cpu.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

async function storedPoints(cluster: Cluster): Promise<number> {
  const client = new pg.Client({ connectionString: args['database-url'] });
  await client.connect();
  try {
    // Chunk points, and rows of the old one-row-per-point table (empty unless upgraded).
    const r = await client.query<{ n: string }>(
      `SELECT (SELECT COALESCE(SUM(count), 0) FROM ${cluster.schema}.chunks) + (SELECT count(*) FROM ${cluster.schema}.points) AS n`,
    );
    return Number(r.rows[0]!.n);
  } finally {
    await client.end();
  }
}

interface Row {
  nodes: number;
  pointsPerSec: number;
  nodeCpuUsPerPoint: number;
  nodeCpuCores: number;
  nginxCpuCores: number;
  machineBusy: number;
  p99Ms: number;
  failed: number;
}

async function measure(nodes: number): Promise<Row> {
  const cluster = await startCluster({ nodes, databaseUrl: args['database-url'], adminPassword: ADMIN_PASSWORD, nodeEnv: { RATE_LIMIT_INGEST: '0', RATE_LIMIT_API: '0' } });
  try {
    const token = await adminToken(cluster.url);
    const devices = await createDevices(cluster.url, token, CONNECTIONS, `cluster-${nodes}`);
    const clock = new Clock();
    let next = 0;
    const deviceOf = (conn: Record<string, unknown>) => {
      conn.device ??= devices[next++ % devices.length];
      return conn.device as { id: string; key: string };
    };
    const load = (durationSec: number) =>
      runLoad({
        url: `${cluster.url}/api/v1/telemetry`,
        method: 'POST',
        connections: CONNECTIONS,
        durationSec,
        connectionHeaders: (c) => ({ 'x-api-key': deviceOf(c).key }),
        body: (c) => batchBody(clock, deviceOf(c).id, BATCH),
      });
    await load(2); // warm-up: JIT, statement caches, keep-alive connections through nginx

    const nodeCpu = () => cluster.nodes.reduce((sum, n) => sum + (n.cpuSeconds() ?? 0), 0);
    const before = { stored: await storedPoints(cluster), cpu: nodeCpu(), nginx: cpuSecondsWithChildren(cluster.loadBalancer.pid) ?? 0, machine: machineTicks(), at: performance.now() };
    const r = await load(SECONDS);
    const seconds = (performance.now() - before.at) / 1000;
    const cpu = nodeCpu() - before.cpu;
    const nginx = (cpuSecondsWithChildren(cluster.loadBalancer.pid) ?? 0) - before.nginx;
    const machine = machineTicks();
    const stored = (await storedPoints(cluster)) - before.stored;
    const row: Row = {
      nodes,
      pointsPerSec: stored / seconds,
      nodeCpuUsPerPoint: (cpu / stored) * 1e6,
      nodeCpuCores: cpu / seconds,
      nginxCpuCores: nginx / seconds,
      machineBusy: (machine.busy - before.machine.busy) / (machine.total - before.machine.total),
      p99Ms: r.p99Ms,
      failed: r.non2xx + r.errors,
    };
    console.log(`${nodes} node(s): ${fmt(row.pointsPerSec)} points/s stored, ${fmt(row.nodeCpuUsPerPoint, 1)} µs node CPU per point`);
    return row;
  } finally {
    await cluster.stop();
  }
}

printHardware(`cluster bench: ${COUNTS.join(', ')} node(s) behind nginx, PostgreSQL at ${args['database-url']}; ${CONNECTIONS} connections × ${BATCH} points per request, ${SECONDS} s each`);
console.log(`cores: ${os.cpus().length} (nodes, nginx, Mosquitto, PostgreSQL and the load generator all share them)`);
const rows: Row[] = [];
for (const n of COUNTS) rows.push(await measure(n));
printTable(
  'Stored points/s through nginx (HTTP batches, PostgreSQL, ack after commit)',
  ['nodes', 'points/s', 'vs 1 node', 'node CPU µs/point', 'node CPU (cores)', 'nginx CPU (cores)', 'machine busy', 'p99', 'failed requests'],
  rows.map((r) => [
    String(r.nodes),
    fmt(r.pointsPerSec),
    `${fmt(r.pointsPerSec / rows[0]!.pointsPerSec, 2)}×`,
    fmt(r.nodeCpuUsPerPoint, 1),
    fmt(r.nodeCpuCores, 2),
    fmt(r.nginxCpuCores, 2),
    `${fmt(r.machineBusy * 100)} %`,
    `${fmt(r.p99Ms)} ms`,
    String(r.failed),
  ]),
);

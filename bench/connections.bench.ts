// npm run bench:connections [-- --connections 10000 --procs 4 --interval 10 --steady 30 --reference --server-env MALLOC_ARENA_MAX=2]
// Connection scale (issue 3) and reconnect storm (issue 8): N device connections to one platform
// node (a child process, SQLite in its own DATA_DIR), each publishing one QoS 1 point every
// --interval seconds. Reports the server's resident memory per connection (RSS with the devices
// connected and publishing minus RSS before, over N, both read after a full GC: see below), then
// drops every connection at once and lets all reconnect, and finally checks every PUBACKed point
// against the database. The reference is the same clients against bare aedes (no auth, no
// storage) in the same run (--no-reference skips it).
// Both servers run with --expose-gc and bench/lib/memory-probe.mjs, and both are sampled the same
// way: idle, and after the steady phase, each time after a full GC. Without it the figure mostly
// measures when V8 last collected (garbage of the connect phase and of 1,000 messages/s in the old
// and young generations), which moved the same run by several KiB per connection; the RSS without
// GC is still printed and recorded beside it. --server-env KEY=VALUE (repeatable) sets environment
// variables of both servers alike (e.g. MALLOC_ARENA_MAX=2). --subscribe: every device also
// subscribes to its commands and desired-state topics after each CONNACK (both servers).
// Needs N + a few hundred file descriptors in the server: the npm script raises `ulimit -n` to
// the hard limit first.
import { decodeChunkTimestamps } from '../src/storage/chunks/chunk-codec.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import type { ClientsStatus } from './connections-clients.ts';
import { type Child, rssBytes, startBareAedes, startPlatform } from './lib/children.ts';
import { type Fleet, PROBE_NODE_ARGS, type ProbedMemory, probeMemory, provision, startFleet as startClients } from './lib/fleet.ts';
import { printHardware } from './lib/raw-storage.ts';
import { type Figure, recordResults } from './lib/results.ts';
import { fmt, median, printTable } from './lib/table.ts';

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '10000' },
    procs: { type: 'string', default: '4' },
    interval: { type: 'string', default: '10' },
    /** Seconds of steady publishing measured once all are connected (and again after the storm). */
    steady: { type: 'string', default: '30' },
    'connect-concurrency': { type: 'string', default: '100' },
    reference: { type: 'boolean', default: true },
    'no-reference': { type: 'boolean', default: false },
    storm: { type: 'boolean', default: true },
    'no-storm': { type: 'boolean', default: false },
    /** Seconds to wait for every device to be back after the storm. */
    'storm-limit': { type: 'string', default: '300' },
    /** Devices subscribe (QoS 1) to their commands and desired-state topics after each CONNACK, on both servers. */
    subscribe: { type: 'boolean', default: false },
    /** KEY=VALUE environment variables of both servers (platform and bare aedes). */
    'server-env': { type: 'string', multiple: true, default: [] },
  },
});
const N = Number(args.connections);
const PROCS = Math.max(1, Math.min(Number(args.procs), N));
const INTERVAL_MS = Number(args.interval) * 1000;
const STEADY_MS = Number(args.steady) * 1000;
const REFERENCE = args.reference && !args['no-reference'];
const STORM = args.storm && !args['no-storm'];
const TARGET_KB = 16;
const SERVER_ENV: Record<string, string> = Object.fromEntries(args['server-env'].map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const probeDir = mkdtempSync(path.join(tmpdir(), 'fluxgate-bench-probe-'));
const probeFile = (name: string) => path.join(probeDir, `${name}.json`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function openFileLimit(): number {
  const line = /Max open files\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? '1024';
  return line === 'unlimited' ? Infinity : Number(line);
}

/** RSS of an idle server: the median of a few samples a little apart. */
async function settledRss(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(rssBytes(pid));
    await sleep(400);
  }
  return median(samples);
}

function startFleet(port: number, devices: Array<{ id: string; key?: string }>, baseTs: number): Promise<Fleet> {
  return startClients({ port, devices, procs: PROCS, intervalMs: INTERVAL_MS, connectConcurrency: Number(args['connect-concurrency']), baseTs, subscribe: args.subscribe });
}

/** The clients' counters summed over every client process. */
type Totals = Omit<ClientsStatus, 'type' | 'latencies' | 'rssBytes'> & { clientRss: number };

const latencies: number[] = [];
function sum(statuses: ClientsStatus[]): Totals {
  const t: Totals = { connected: 0, published: 0, acked: 0, inflight: 0, refused: 0, unexpectedCloses: 0, connectErrors: 0, errorCodes: {}, connackTimeouts: 0, clientRss: 0 };
  for (const s of statuses) {
    t.connected += s.connected;
    t.published += s.published;
    t.acked += s.acked;
    t.inflight += s.inflight;
    t.refused += s.refused;
    t.unexpectedCloses += s.unexpectedCloses;
    t.connectErrors += s.connectErrors;
    t.clientRss += s.rssBytes;
    t.connackTimeouts += s.connackTimeouts;
    for (const [code, n] of Object.entries(s.errorCodes)) t.errorCodes[code] = (t.errorCodes[code] ?? 0) + n;
    for (const l of s.latencies) latencies.push(l);
  }
  return t;
}

/** Polls until every connection is up (or the time runs out); returns seconds taken and the peak server RSS. */
async function untilConnected(fleet: Fleet, serverPid: number, since: number, limitMs: number): Promise<{ seconds: number; peakRss: number; totals: Totals }> {
  let peakRss = rssBytes(serverPid);
  let totals = sum(await fleet.status());
  let told = Date.now();
  while (totals.connected < N && Date.now() - since < limitMs) {
    await sleep(250);
    peakRss = Math.max(peakRss, rssBytes(serverPid));
    totals = sum(await fleet.status());
    if (Date.now() - told >= 10_000) {
      told = Date.now();
      console.log(`  ${fmt((told - since) / 1000)} s: ${fmt(totals.connected)} connected, ${totals.connectErrors} connect errors ${JSON.stringify(totals.errorCodes)}, ${totals.connackTimeouts} CONNACK timeouts, ${totals.unexpectedCloses} closed by the server, ${totals.refused} refused; server RSS ${mib(rssBytes(serverPid))}`);
    }
  }
  return { seconds: (Date.now() - since) / 1000, peakRss, totals };
}

/** Publishing for `ms`, sampling the server's RSS each second: [first, last, peak]. */
async function steady(fleet: Fleet, serverPid: number, ms: number): Promise<{ first: number; last: number; peak: number; totals: Totals }> {
  const samples: number[] = [];
  const until = Date.now() + ms;
  while (Date.now() < until) {
    samples.push(rssBytes(serverPid));
    await sleep(1000);
  }
  samples.push(rssBytes(serverPid));
  return { first: samples[0]!, last: samples.at(-1)!, peak: Math.max(...samples), totals: sum(await fleet.status()) };
}

const kb = (bytes: number) => bytes / 1024;
const mib = (bytes: number) => `${fmt(bytes / 2 ** 20, 1)} MiB`;

const STEADY_PHASE_MS = Math.max(STEADY_MS, INTERVAL_MS + 2000);

/** RSS per connection of one server, measured the same way for both: after a full GC, and as read. */
interface PerConnection {
  /** (RSS after GC with the devices connected − RSS after GC idle) / connected, KiB */
  afterGcKb: number;
  /** the same from RSS as read (no GC): the end of the steady phase minus the settled idle RSS */
  rawKb: number;
  idleAfterGc: number;
  loadedAfterGc: number;
  loaded: ProbedMemory;
}

/** Idle baseline of a server started with PROBE_NODE_ARGS: settled RSS as read, then RSS after a full GC. */
async function idleBaseline(pid: number, name: string): Promise<{ raw: number; afterGc: number }> {
  await sleep(2000);
  const raw = await settledRss(pid);
  const afterGc = (await probeMemory(pid, probeFile(name))).rss;
  return { raw, afterGc };
}

async function perConnection(pid: number, name: string, idle: { raw: number; afterGc: number }, rawLoaded: number, connected: number): Promise<PerConnection> {
  const loaded = await probeMemory(pid, probeFile(name));
  const loadedAfterGc = loaded.rss;
  const n = Math.max(1, connected);
  return { afterGcKb: kb(loadedAfterGc - idle.afterGc) / n, rawKb: kb(rawLoaded - idle.raw) / n, idleAfterGc: idle.afterGc, loadedAfterGc, loaded };
}

/** The reference: the same clients (no credentials) against bare aedes, the same phases and sampling as the platform. */
async function referencePerConnection(): Promise<(PerConnection & { connectS: number }) | undefined> {
  const broker: Child = await startBareAedes({ nodeArgs: PROBE_NODE_ARGS, env: { ...SERVER_ENV, MEMORY_PROBE_FILE: probeFile('bare') } });
  let fleet: Fleet | undefined;
  try {
    const idle = await idleBaseline(broker.pid, 'bare');
    const t0 = Date.now();
    fleet = await startFleet(broker.port, Array.from({ length: N }, (_, i) => ({ id: `ref-${i}` })), Date.now() - 86_400_000);
    const up = await untilConnected(fleet, broker.pid, t0, 120_000);
    const s = await steady(fleet, broker.pid, STEADY_PHASE_MS);
    if (s.totals.connected < N) console.warn(`reference: only ${s.totals.connected}/${N} connected`);
    const per = await perConnection(broker.pid, 'bare', idle, s.last, s.totals.connected);
    await fleet.stop(2000);
    return { ...per, connectS: up.seconds };
  } finally {
    fleet?.kill();
    await broker.stop();
  }
}

// ---------------------------------------------------------------------------------------------
const limit = openFileLimit();
printHardware(`connection bench: ${fmt(N)} device connections in ${PROCS} client processes, QoS 1 every ${INTERVAL_MS / 1000} s, ${STEADY_MS / 1000} s steady`);
console.log(`open files limit (ulimit -n): ${limit}`);
if (limit < N + 500) {
  console.error(`ulimit -n is ${limit}: the server needs ${N} sockets plus a few hundred files. Raise it (\`ulimit -n ${N + 1000}\`, or the hard limit in /etc/security/limits.conf) or run fewer --connections.`);
  process.exit(2);
}

latencies.length = 0;
const reference = REFERENCE ? await referencePerConnection() : undefined;
if (reference) {
  console.log(
    `reference, bare aedes: ${fmt(reference.afterGcKb, 1)} KiB per connection after GC (RSS ${mib(reference.idleAfterGc)} idle → ${mib(reference.loadedAfterGc)}), ` +
      `${fmt(reference.rawKb, 1)} KiB without GC; all connected in ${fmt(reference.connectS, 1)} s`,
  );
}
latencies.length = 0;

const dataDir = mkdtempSync(path.join(tmpdir(), 'fluxgate-bench-conn-'));
const tp = Date.now();
const devices = await provision(dataDir, N);
console.log(`provisioned ${fmt(N)} devices in ${fmt((Date.now() - tp) / 1000, 1)} s`);
const platform = await startPlatform({ dataDir, nodeArgs: PROBE_NODE_ARGS, env: { RATE_LIMIT_INGEST: '0', ...SERVER_ENV, MEMORY_PROBE_FILE: probeFile('platform') } });
let fleet: Fleet | undefined;
const figures: Figure[] = [];
try {
  const idle = await idleBaseline(platform.pid, 'platform');
  const rssBefore = idle.raw;
  const t0 = Date.now();
  fleet = await startFleet(platform.mqttPort!, devices, Date.now() - 86_400_000);
  const up = await untilConnected(fleet, platform.pid, t0, 300_000);
  console.log(`connected ${fmt(up.totals.connected)}/${fmt(N)} in ${fmt(up.seconds, 1)} s (refused ${up.totals.refused}, connect errors ${up.totals.connectErrors}); server RSS peak while connecting ${mib(up.peakRss)}`);
  const s1 = await steady(fleet, platform.pid, STEADY_PHASE_MS);
  const per = await perConnection(platform.pid, 'platform', idle, s1.last, s1.totals.connected);
  const perConnKb = per.afterGcKb;
  const p1 = [...latencies].sort((a, b) => a - b);
  const pct = (arr: number[], p: number) => arr[Math.min(arr.length - 1, Math.floor((p / 100) * arr.length))] ?? NaN;
  console.log(
    `steady: server RSS after GC ${mib(per.idleAfterGc)} idle → ${mib(per.loadedAfterGc)} with ${fmt(s1.totals.connected)} connected: ${fmt(perConnKb, 1)} KiB per connection; ` +
      `without GC ${mib(rssBefore)} → ${mib(s1.last)}: ${fmt(per.rawKb, 1)} KiB per connection; ` +
      `RSS first/last/peak of the steady phase ${mib(s1.first)} / ${mib(s1.last)} / ${mib(s1.peak)}; ${fmt(s1.totals.acked)} PUBACKed, publish→PUBACK p50 ${pct(p1, 50)} ms p99 ${pct(p1, 99)} ms`,
  );
  const envNote = Object.keys(SERVER_ENV).length ? `; both servers with ${args['server-env'].join(' ')}` : '';
  figures.push({
    name: `server RSS per MQTT connection, ${fmt(N)} devices publishing QoS 1 every ${INTERVAL_MS / 1000} s (after a full GC)`,
    value: perConnKb,
    unit: 'KiB',
    kind: 'memory',
    ...(reference ? { reference: { name: 'bare aedes, same clients, after GC', value: reference.afterGcKb, unit: 'KiB' }, ratio: perConnKb / reference.afterGcKb } : {}),
    target: `≤ ${TARGET_KB} KB (ThingsBoard ~66 KB)`,
    met: perConnKb <= TARGET_KB,
    note: `idle and loaded RSS both read after gc() in the server, the same for the reference${envNote}`,
  });
  figures.push({
    name: `server RSS per MQTT connection, as read without GC (end of the ${STEADY_PHASE_MS / 1000} s steady phase)`,
    value: per.rawKb,
    unit: 'KiB',
    ...(reference ? { reference: { name: 'bare aedes, same clients, without GC', value: reference.rawKb, unit: 'KiB' }, ratio: per.rawKb / reference.rawKb } : {}),
    note: 'includes garbage not yet collected and the young generation V8 grew for the message rate',
  });
  figures.push({ name: `connect ${fmt(N)} devices (${args['connect-concurrency']} CONNECTs in flight)`, value: up.seconds, unit: 's', ...(reference ? { reference: { name: 'bare aedes', value: reference.connectS, unit: 's' }, ratio: up.seconds / reference.connectS } : {}) });
  figures.push({ name: `steady ingest, ${fmt(N)} connections, publish→PUBACK`, value: (N * 1000) / INTERVAL_MS, unit: 'msg/s offered', kind: 'latency', p50Ms: pct(p1, 50), p99Ms: pct(p1, 99) });

  let storm: { seconds: number; peakRss: number; after: number; connected: number } | undefined;
  if (STORM) {
    latencies.length = 0;
    const ts = Date.now();
    fleet.storm();
    await sleep(300);
    const back = await untilConnected(fleet, platform.pid, ts, Number(args['storm-limit']) * 1000);
    const s2 = await steady(fleet, platform.pid, STEADY_PHASE_MS);
    storm = { seconds: back.seconds, peakRss: Math.max(back.peakRss, s2.peak), after: s2.last, connected: s2.totals.connected };
    const afterStorm = await probeMemory(platform.pid, probeFile('platform'));
    const afterStormGc = afterStorm.rss;
    const heap = (m: ProbedMemory) => `heap used ${mib(m.heapUsed)}, total ${mib(m.heapTotal)}, RSS after a memory-reducing GC ${mib(m.reducedRss)}`;
    console.log(`memory after GC before the storm: ${heap(per.loaded)}; after: ${heap(afterStorm)}`);
    const p2 = [...latencies].sort((a, b) => a - b);
    console.log(
      `storm: all ${fmt(N)} dropped at once; ${fmt(back.totals.connected)} back in ${fmt(back.seconds, 1)} s; server RSS peak ${mib(storm.peakRss)}, ` +
        `${mib(s2.last)} one steady phase later (${fmt(kb(s2.last - rssBefore) / Math.max(1, s2.totals.connected), 1)} KiB per connection), ` +
        `${mib(afterStormGc)} after GC (${mib(per.loadedAfterGc)} before the storm); publish→PUBACK p50 ${pct(p2, 50)} ms p99 ${pct(p2, 99)} ms`,
    );
    figures.push({
      name: `reconnect storm: ${fmt(back.totals.connected)} of ${fmt(N)} back`,
      value: back.seconds,
      unit: 's',
      target: 'all back',
      met: back.totals.connected === N,
      note: `${back.totals.connackTimeouts} CONNACK timeouts (30 s), ${back.totals.connectErrors} connect errors`,
    });
    figures.push({
      name: 'server RSS after the storm (one steady phase later), after a full GC',
      value: afterStormGc / 2 ** 20,
      unit: 'MiB',
      reference: { name: 'before the storm, after GC', value: per.loadedAfterGc / 2 ** 20, unit: 'MiB' },
      ratio: afterStormGc / per.loadedAfterGc,
      target: 'bounded (≤ 1.5× before)',
      met: afterStormGc <= per.loadedAfterGc * 1.5,
    });
    figures.push({
      name: 'server RSS after the storm (one steady phase later), as read',
      value: s2.last / 2 ** 20,
      unit: 'MiB',
      reference: { name: 'before the storm, as read', value: s1.last / 2 ** 20, unit: 'MiB' },
      ratio: s2.last / s1.last,
      note: `peak ${mib(storm.peakRss)}; includes the storm's garbage not yet collected`,
    });
  }

  // Every PUBACKed point must be in the database; a reader sees what the platform committed.
  const finals = await fleet.stop(15_000);
  const db = new BetterSqlite3(path.join(dataDir, 'fluxgate.db'), { readonly: true });
  const stored = new Set<string>();
  for (const row of db.prepare("SELECT device_id, data FROM chunks WHERE field = 'v'").iterate() as Iterable<{ device_id: string; data: Uint8Array }>) {
    for (const ts of decodeChunkTimestamps(row.data)) stored.add(`${row.device_id}:${ts}`);
  }
  db.close();
  let acked = 0;
  let missing = 0;
  for (const f of finals) {
    for (const [id, list] of Object.entries(f.acked)) {
      for (const t of list) {
        acked++;
        if (!stored.has(`${id}:${t}`)) missing++;
      }
    }
  }
  const unacked = finals.reduce((n, f) => n + f.unacked, 0);
  console.log(`accounting: ${fmt(acked)} points PUBACKed, ${fmt(stored.size)} stored, ${missing} PUBACKed but missing, ${unacked} still unacknowledged at the end`);
  figures.push({ name: 'PUBACKed points missing from storage', value: missing, unit: 'points', target: '0', met: missing === 0, note: `${acked} PUBACKed, ${stored.size} stored` });

  const rows: string[][] = figures.map((f) => [
    f.name,
    `${fmt(f.value, f.unit === 'KiB' || f.unit === 's' || f.unit === 'MiB' ? 1 : 0)} ${f.unit}`,
    f.reference ? `${f.reference.name} ${fmt(f.reference.value, 1)} ${f.reference.unit}${f.ratio !== undefined ? ` (${fmt(f.ratio, 2)}×)` : ''}` : '',
    f.target ?? '',
    f.met === undefined ? '' : f.met ? 'yes' : 'NO',
  ]);
  printTable('Connection scale (SQLite, ack after commit)', ['measure', 'figure', 'reference (same run)', 'target', 'met'], rows);
  recordResults('connections', figures);
} finally {
  fleet?.kill();
  await platform.stop();
  rmSync(probeDir, { recursive: true, force: true });
}
process.exit(0);

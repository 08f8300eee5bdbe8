// npm run bench:connections-memory [-- --connections 4000 --server both --env KEY=VALUE --snapshot]
// Where the memory of N device connections goes: the same clients as bench:connections against
// Fluxgate and against bare aedes, each server sampled after a full GC (memory-probe.mjs) idle and
// again with every device connected and publishing one QoS 1 point per --interval; prints per
// connection: RSS as read (no GC), RSS after a full GC, RSS after a memory-reducing GC (what V8
// gives back when idle), V8 heap used/total, external and array-buffer memory. --env sets server
// environment variables of both servers (e.g. MALLOC_ARENA_MAX=2), --platform-env of Fluxgate
// only (A/B of its own settings); --subscribe makes every device subscribe to its commands and
// desired-state topics after connecting, as firmware does (both servers); --snapshot writes heap snapshots of both samples (idle, loaded)
// for DevTools' comparison view. No storm, no accounting: bench:connections does those.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Child, rssBytes, startBareAedes, startPlatform } from './lib/children.ts';
import { type Fleet, PROBE_NODE_ARGS, type ProbedMemory, probeMemory, provision, startFleet } from './lib/fleet.ts';
import { fmt, printTable } from './lib/table.ts';

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '4000' },
    procs: { type: 'string', default: '2' },
    interval: { type: 'string', default: '10' },
    server: { type: 'string', default: 'both' },
    env: { type: 'string', multiple: true, default: [] },
    'platform-env': { type: 'string', multiple: true, default: [] },
    snapshot: { type: 'boolean', default: false },
    /** Devices subscribe (QoS 1) to devices/{id}/commands and devices/{id}/state/desired after connecting. */
    subscribe: { type: 'boolean', default: false },
  },
});
const N = Number(args.connections);
const PROCS = Math.max(1, Number(args.procs));
const INTERVAL_MS = Number(args.interval) * 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pairs = (list: string[]) => Object.fromEntries(list.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const env = pairs(args.env);
const probeDir = mkdtempSync(path.join(tmpdir(), 'fluxgate-memprobe-'));

async function measure(name: string, server: Child, port: number, devices: Array<{ id: string; key?: string }>): Promise<string[][]> {
  const file = path.join(probeDir, `${name}.json`);
  let fleet: Fleet | undefined;
  try {
    await sleep(2000);
    const idleRaw = rssBytes(server.pid);
    const idle = await probeMemory(server.pid, file);
    fleet = await startFleet({ port, devices, procs: PROCS, intervalMs: INTERVAL_MS, connectConcurrency: 100, baseTs: Date.now() - 86_400_000, subscribe: args.subscribe });
    let connected = 0;
    const t0 = Date.now();
    while (Date.now() - t0 < 300_000) {
      connected = (await fleet.status()).reduce((n, s) => n + s.connected, 0);
      if (connected >= N) break;
      await sleep(500);
    }
    await sleep(INTERVAL_MS + 2000);
    const loadedRaw = rssBytes(server.pid);
    const loaded = await probeMemory(server.pid, file);
    connected = (await fleet.status()).reduce((n, s) => n + s.connected, 0);
    const per = (k: keyof ProbedMemory) => `${fmt((Number(loaded[k]) - Number(idle[k])) / 1024 / connected, 2)}`;
    console.log(`${name}: ${connected} connected; idle ${JSON.stringify(idle)}; loaded ${JSON.stringify(loaded)}`);
    await fleet.stop(2000);
    return [[name, fmt(connected), fmt((loadedRaw - idleRaw) / 1024 / connected, 2), per('rss'), per('reducedRss'), per('heapUsed'), per('heapTotal'), per('external'), per('arrayBuffers')]];
  } finally {
    fleet?.kill();
  }
}

const rows: string[][] = [];
const nodeArgs = PROBE_NODE_ARGS;
const snap: Record<string, string> = args.snapshot ? { MEMORY_PROBE_SNAPSHOT: '1' } : {};
try {
  if (args.server === 'both' || args.server === 'bare') {
    const broker = await startBareAedes({ nodeArgs, env: { ...env, ...snap, MEMORY_PROBE_FILE: path.join(probeDir, 'bare.json') } });
    try {
      rows.push(...(await measure('bare', broker, broker.port, Array.from({ length: N }, (_, i) => ({ id: `ref-${i}` })))));
    } finally {
      await broker.stop();
    }
  }
  if (args.server === 'both' || args.server === 'platform') {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'fluxgate-bench-conn-'));
    const devices = await provision(dataDir, N);
    const platform = await startPlatform({
      dataDir,
      nodeArgs,
      env: { RATE_LIMIT_INGEST: '0', ...env, ...pairs(args['platform-env']), ...snap, MEMORY_PROBE_FILE: path.join(probeDir, 'platform.json') },
    });
    try {
      rows.push(...(await measure('platform', platform, platform.mqttPort!, devices)));
    } finally {
      await platform.stop();
    }
  }
  printTable(`KiB per connection after a full GC (${fmt(N)} devices, env ${JSON.stringify(env)})`, ['server', 'connected', 'RSS without GC', 'RSS', 'RSS reduced', 'heap used', 'heap total', 'external', 'array buffers'], rows);
  if (args.snapshot) console.log(`heap snapshots in ${probeDir}`);
  else rmSync(probeDir, { recursive: true, force: true });
} catch (err) {
  console.error(err);
  process.exitCode = 1;
}
process.exit();

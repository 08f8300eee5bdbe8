// Shared by the connection benches: devices provisioned straight into a SQLite DATA_DIR, the
// client processes (connections-clients.ts) that hold the device connections, and the memory probe
// (memory-probe.mjs) that samples a server child after a full GC.
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { hashApiKey } from '../../src/services/api-keys.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.ts';
import type { ClientsFinal, ClientsJob, ClientsStatus } from '../connections-clients.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Devices written straight into the platform's database before it starts: 10,000 API calls would each fsync. */
export async function provision(dataDir: string, count: number): Promise<Array<{ id: string; key: string }>> {
  const file = path.join(dataDir, 'fluxgate.db');
  const storage = new SqliteStorage(file);
  await storage.migrate();
  const owner = await storage.createUser({ id: 'bench-owner', username: 'bench-owner', email: null, passwordHash: 'not-a-login', role: 'user', isActive: true });
  const template = { name: 'template', description: null, deviceType: 'bench', location: null, firmwareVersion: null, hardwareVersion: null, status: 'active' as const, metadata: {}, config: {}, ownerId: owner.id };
  await storage.createDevice({ ...template, id: 'conn-template', apiKeyHash: hashApiKey(`fgk_template_${randomBytes(8).toString('hex')}`) });
  await storage.close();
  // Copy the template row column by column, so the bench follows schema changes.
  const db = new BetterSqlite3(file);
  db.pragma('synchronous = OFF');
  const columns = (db.prepare('PRAGMA table_info(devices)').all() as Array<{ name: string }>).map((c) => c.name);
  const select = columns.map((c) => (c === 'id' ? '@id' : c === 'name' ? '@id' : c === 'api_key_hash' ? '@hash' : c)).join(', ');
  const insert = db.prepare(`INSERT INTO devices (${columns.join(', ')}) SELECT ${select} FROM devices WHERE id = 'conn-template'`);
  const secret = randomBytes(8).toString('hex');
  const devices = Array.from({ length: count }, (_, i) => ({ id: `conn-${i}`, key: `fgk_bench_${secret}_${i}` }));
  db.transaction(() => {
    for (const d of devices) insert.run({ id: d.id, hash: hashApiKey(d.key) });
  })();
  db.close();
  return devices;
}

export interface Fleet {
  procs: ChildProcess[];
  status(): Promise<ClientsStatus[]>;
  storm(): void;
  stop(drainMs: number): Promise<ClientsFinal[]>;
  kill(): void;
}

function ask<T>(child: ChildProcess, message: object, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string }) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as T);
    };
    const onExit = (code: number | null) => reject(new Error(`client process exited with ${code} while waiting for ${type}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(message);
  });
}

export interface FleetOptions {
  port: number;
  devices: Array<{ id: string; key?: string }>;
  procs: number;
  intervalMs: number;
  /** CONNECTs in flight at once over all client processes. */
  connectConcurrency: number;
  baseTs: number;
  /** Devices subscribe to their commands and desired-state topics after connecting. */
  subscribe?: boolean;
}

/** Starts the client processes; resolves once each has tried every connection once. */
export async function startFleet(o: FleetOptions): Promise<Fleet> {
  const procs = Array.from({ length: o.procs }, () =>
    fork(new URL('../connections-clients.ts', import.meta.url), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  await Promise.all(
    procs.map((child, p) => {
      const job: ClientsJob = {
        host: '127.0.0.1',
        port: o.port,
        devices: o.devices.filter((_, i) => i % o.procs === p),
        intervalMs: o.intervalMs,
        connectConcurrency: Math.max(1, Math.round(o.connectConcurrency / o.procs)),
        baseTs: o.baseTs,
        subscribe: o.subscribe ?? false,
      };
      return ask(child, { type: 'start', job }, 'started');
    }),
  );
  return {
    procs,
    status: () => Promise.all(procs.map((c) => ask<ClientsStatus>(c, { type: 'status' }, 'status'))),
    storm: () => procs.forEach((c) => c.send({ type: 'storm' })),
    stop: (drainMs) => Promise.all(procs.map((c) => ask<ClientsFinal>(c, { type: 'stop', drainMs }, 'final'))),
    kill: () => procs.forEach((c) => c.exitCode === null && c.kill('SIGKILL')),
  };
}

export const MEMORY_PROBE = path.join(import.meta.dirname, 'memory-probe.mjs');
/** Node arguments of a server child sampled with probeMemory(). */
export const PROBE_NODE_ARGS = ['--expose-gc', '--import', MEMORY_PROBE];

export interface ProbedMemory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** RSS and V8 heap after a memory-reducing GC (read after the others) */
  reducedRss: number;
  reducedHeapTotal: number;
  snapshot?: string;
}

/** Memory of a child started with PROBE_NODE_ARGS and MEMORY_PROBE_FILE=file, read after a full GC. */
export async function probeMemory(pid: number, file: string): Promise<ProbedMemory> {
  rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  const until = Date.now() + 60_000;
  while (!existsSync(file)) {
    if (Date.now() > until) throw new Error(`memory probe of ${pid} did not answer in 60 s (started with ${PROBE_NODE_ARGS.join(' ')}?)`);
    await sleep(100);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as ProbedMemory;
}

// Servers under test run as child processes, so the load generator (this process) and the server
// do not share one event loop. Each child prints one JSON line with its port when it listens.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PLATFORM_NODE_FLAGS } from '../../scripts/node-flags.mjs';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface Child {
  pid: number;
  port: number;
  url: string;
  stop(): Promise<void>;
}

function waitForPort(child: ChildProcess, match: (line: string) => number | undefined, what: string, timeoutMs = 30_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const seen: string[] = [];
    const timer = setTimeout(() => reject(new Error(`${what} did not start in ${timeoutMs / 1000} s:\n${seen.join('\n')}`)), timeoutMs);
    lines.on('line', (line) => {
      seen.push(line);
      const port = match(line);
      if (port !== undefined) {
        clearTimeout(timer);
        resolve(port);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${seen.join('\n')}`));
    });
  });
}

export function stopper(child: ChildProcess, cleanup: () => void): () => Promise<void> {
  return async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    cleanup();
  };
}

export interface PlatformOptions {
  /** PostgreSQL URL; SQLite in a fresh temporary DATA_DIR when absent. */
  databaseUrl?: string;
  databaseSchema?: string;
  env?: Record<string, string>;
  /** Node arguments after the platform's own (PLATFORM_NODE_FLAGS, as `npm start`) and before BENCH_SERVER_NODE_ARGS. */
  nodeArgs?: string[];
  /** An already prepared DATA_DIR (e.g. devices provisioned in bulk); removed on stop like a fresh one. */
  dataDir?: string;
  /** How long to wait for it to listen (default 30 s; a large fleet on a loaded machine takes longer). */
  startTimeoutMs?: number;
}

export const ADMIN_PASSWORD = 'bench-admin-password';
/** The platform's METRICS_TOKEN: benches read /metrics with it, as a Prometheus scraper would. */
export const METRICS_TOKEN = 'bench-metrics-token-0123456789abcdef';

/** Starts `fluxgate start` (the real CLI, with the Node flags `npm start` gives it) on a random port with fresh storage. */
export async function startPlatform(options: PlatformOptions = {}): Promise<Child & { dataDir: string; mqttPort: number | undefined }> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'fluxgate-bench-'));
  const env: Record<string, string | undefined> = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: '0',
    MQTT_PORT: '0',
    DATA_DIR: dataDir,
    ADMIN_PASSWORD,
    METRICS_TOKEN,
    LOG_LEVEL: 'info',
    ...options.env,
  };
  // e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server only.
  const nodeArgs = [...PLATFORM_NODE_FLAGS, ...(options.nodeArgs ?? []), ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  if (options.databaseUrl) {
    env.DATABASE_URL = options.databaseUrl;
    env.DATABASE_SCHEMA = options.databaseSchema ?? 'public';
  } else {
    delete env.DATABASE_URL;
  }
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'bin/fluxgate.js'), 'start'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let mqttPort: number | undefined;
  const port = await waitForPort(
    child,
    (line) => {
      if (!line.includes('Fluxgate listening')) return undefined;
      const listening = JSON.parse(line) as { port: number; mqttPort?: number };
      mqttPort = listening.mqttPort;
      return listening.port;
    },
    'fluxgate start',
    options.startTimeoutMs,
  ).catch((err: unknown) => {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  return {
    pid: child.pid!,
    port,
    mqttPort,
    url: `http://127.0.0.1:${port}`,
    dataDir,
    stop: stopper(child, () => rmSync(dataDir, { recursive: true, force: true })),
  };
}

/** Starts a bare fastify app answering GET / with {"hello":"world"}: the HTTP reference. */
export async function startHello(): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'hello-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await waitForPort(child, (line) => (line.startsWith('{"port"') ? (JSON.parse(line) as { port: number }).port : undefined), 'hello server');
  return { pid: child.pid!, port, url: `http://127.0.0.1:${port}`, stop: stopper(child, () => {}) };
}

/** A bare aedes broker (no auth, no storage, in-memory persistence): the MQTT reference. */
export async function startBareAedes(options: { nodeArgs?: string[]; env?: Record<string, string> } = {}): Promise<Child> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', path.join(import.meta.dirname, 'bare-aedes.ts')], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await waitForPort(child, (line) => (line.startsWith('{"port"') ? (JSON.parse(line) as { port: number }).port : undefined), 'bare aedes');
  return { pid: child.pid!, port, url: `mqtt://127.0.0.1:${port}`, stop: stopper(child, () => {}) };
}

/** Resident memory of a process now, in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

/** CPU seconds (user + system, all threads) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

// Private instances of the services a failure test stops and starts: its own PostgreSQL cluster
// (initdb + pg_ctl into a temp dir) and its own Mosquitto, each on a free port. The shared services
// on 5432/1883 are used by other test files at the same time and must never be stopped.
// Missing binaries skip with a plain reason (fail under CI=true), as services.ts does.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, portOpen } from '../../scripts/cluster/processes.ts';

const inCi = process.env.CI === 'true';

function skipOrThrow(message: string): string {
  if (inCi) throw new Error(`${message}; CI=true requires it`);
  console.warn(`SKIP: ${message}`);
  return `SKIP: ${message}`;
}

export { freePort };

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(path.join(root, v, 'bin', 'initdb'))) return path.join(root, v, 'bin');
  return undefined;
}

const isRoot = process.getuid?.() === 0;

/** `undefined` when a private PostgreSQL cluster can be made here, else the reason to skip. */
export function privatePostgresSkipReason(): string | undefined {
  if (!postgresBin()) return skipOrThrow('PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql');
  if (isRoot) {
    try {
      execFileSync('id', ['postgres'], { stdio: 'ignore' });
    } catch {
      return skipOrThrow('running as root and there is no postgres user to run a private PostgreSQL cluster as');
    }
  }
  return undefined;
}

export interface PrivatePostgres {
  url: string;
  port: number;
  /** Immediate shutdown: connections are cut as by a crash. */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** initdb + pg_ctl start of a throwaway cluster (trust auth, user postgres, database postgres). */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin()!;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-pg-'));
  const data = path.join(dir, 'data');
  const port = await freePort();
  // initdb refuses to run as root: run the server as the postgres user, in a directory it owns.
  const run = (cmd: string, args: string[]) =>
    isRoot ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], { stdio: 'pipe' }) : execFileSync(path.join(bin, cmd), args, { stdio: 'pipe' });
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB -c max_connections=40`;
  const start = async () => {
    run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-o', opts, '-w', '-t', '60', 'start']);
    await waitFor(() => portOpen(port), 'private PostgreSQL');
  };
  const stop = async () => {
    run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  };
  await start();
  let running = true;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      await stop();
      running = false;
    },
    async start() {
      await start();
      running = true;
    },
    async destroy() {
      if (running) await stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function mosquittoBin(): string | undefined {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', ...(process.env.PATH ?? '').split(':')]) {
    if (dir && existsSync(path.join(dir, 'mosquitto'))) return path.join(dir, 'mosquitto');
  }
  return undefined;
}

export function privateMosquittoSkipReason(): string | undefined {
  return mosquittoBin() ? undefined : skipOrThrow('mosquitto not installed (apt-get install mosquitto)');
}

const DYNSEC_PLUGIN_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib', '/usr/local/lib'];

function dynsecPlugin(): string | undefined {
  return DYNSEC_PLUGIN_DIRS.map((dir) => path.join(dir, 'mosquitto_dynamic_security.so')).find((file) => existsSync(file));
}

/** `undefined` when Mosquitto, mosquitto_ctrl and the dynamic security plugin are installed, else the reason to skip. */
export function privateDynsecMosquittoSkipReason(): string | undefined {
  const missing = privateMosquittoSkipReason();
  if (missing) return missing;
  if (!dynsecPlugin()) return skipOrThrow('mosquitto_dynamic_security.so not found (Mosquitto 2 ships it)');
  try {
    execFileSync('mosquitto_ctrl', ['--help'], { stdio: 'ignore' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return skipOrThrow('mosquitto_ctrl not installed (apt-get install mosquitto-clients)');
  }
  return undefined;
}

export interface PrivateMosquittoOptions {
  /** Dynamic security plugin with this admin (made by `mosquitto_ctrl dynsec init`) and no anonymous access. */
  dynsec?: { username: string; password: string };
}

export interface PrivateMosquitto {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** A Mosquitto of this test's own on a free port (anonymous unless `dynsec`, no persistence). */
export async function startPrivateMosquitto(options: PrivateMosquittoOptions = {}): Promise<PrivateMosquitto> {
  const bin = mosquittoBin()!;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-mosquitto-'));
  const port = await freePort();
  const conf = path.join(dir, 'mosquitto.conf');
  let text = `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`;
  if (options.dynsec) {
    const file = path.join(dir, 'dynamic-security.json');
    execFileSync('mosquitto_ctrl', ['dynsec', 'init', file, options.dynsec.username, options.dynsec.password], { stdio: 'ignore' });
    // Started as root, Mosquitto runs as its own user: the plugin reads and rewrites this file as that user.
    if (isRoot) {
      const ids = (flag: string) => Number(execFileSync('id', [flag, 'mosquitto']).toString().trim());
      chownSync(dir, ids('-u'), ids('-g'));
      chownSync(file, ids('-u'), ids('-g'));
    }
    text = `per_listener_settings false\nlistener ${port} 127.0.0.1\nallow_anonymous false\npersistence false\nplugin ${dynsecPlugin()}\nplugin_opt_config_file ${file}\nset_tcp_nodelay true\n`;
  }
  writeFileSync(conf, text);
  let child: ChildProcess | undefined;
  const start = async () => {
    const proc = spawn(bin, ['-c', conf], { stdio: 'ignore' });
    child = proc;
    let exited = false;
    proc.once('exit', () => (exited = true));
    await waitFor(async () => {
      if (exited) throw new Error('private mosquitto exited at start');
      return portOpen(port);
    }, 'private Mosquitto');
  };
  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  };
  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A private InfluxDB 1.x (Debian's `influxdb` package, /usr/bin/influxd) as a child process: its own
// config on free loopback ports, data, WAL and meta in a temporary folder removed on stop. Used as the
// reference of bench:storage. Durable like Fluxgate: the WAL is fsynced on every write (the default).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stopper } from './children.ts';

export const INFLUXD = '/usr/bin/influxd';

export interface Influxd {
  pid: number;
  url: string;
  version: string;
  /** Bytes of data and WAL files (the TSM files once the cache is flushed and compacted). */
  diskBytes(): number;
  query(q: string, db?: string): Promise<unknown>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Bytes a file occupies on disk (allocated blocks, as `du` counts them), 0 when it is absent. Not the
 * apparent size: InfluxDB preallocates its series-file segments sparsely (32 MiB per database).
 */
export function diskBytes(file: string): number {
  try {
    return statSync(file).blocks * 512;
  } catch {
    return 0;
  }
}

export function folderBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(full) : diskBytes(full);
  }
  return total;
}

/** Starts influxd, or returns undefined (with the reason) when the package is not installed. */
export async function startInfluxd(): Promise<Influxd | string> {
  if (!existsSync(INFLUXD)) return `${INFLUXD} is not installed (apt-get install influxdb)`;
  const dir = mkdtempSync(path.join(tmpdir(), 'fluxgate-bench-influxd-'));
  const [httpPort, rpcPort] = [await freePort(), await freePort()];
  // Cold shards are snapshotted and fully compacted within seconds, so the disk figure is the
  // compacted TSM size rather than a WAL still waiting for the 10-minute default.
  const config = `
reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
  cache-snapshot-write-cold-duration = "2s"
  compact-full-write-cold-duration = "5s"
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:${httpPort}"
  auth-enabled = false
  log-enabled = false
[subscriber]
  enabled = false
[continuous_queries]
  enabled = false
`;
  writeFileSync(path.join(dir, 'influxdb.conf'), config);
  const child = spawn(INFLUXD, ['-config', path.join(dir, 'influxdb.conf')], { stdio: ['ignore', 'ignore', 'ignore'] });
  const url = `http://127.0.0.1:${httpPort}`;
  const stop = stopper(child, () => rmSync(dir, { recursive: true, force: true }));
  let version = '';
  for (let i = 0; ; i++) {
    const res = await fetch(`${url}/ping`).catch(() => undefined);
    if (res?.status === 204) {
      version = res.headers.get('x-influxdb-version') ?? '';
      break;
    }
    if (i > 300 || child.exitCode !== null) {
      await stop();
      throw new Error(`influxd did not answer /ping within 30 s (exit code ${child.exitCode})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const query = async (q: string, db?: string) => {
    const params = new URLSearchParams({ q, epoch: 'ms', ...(db ? { db } : {}) });
    const res = await fetch(`${url}/query`, { method: 'POST', body: params });
    const text = await res.text();
    if (!res.ok || text.includes('"error"')) throw new Error(`influxd query ${q} → ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as unknown;
  };
  return {
    pid: child.pid!,
    url,
    version,
    diskBytes: () => folderBytes(path.join(dir, 'data')) + folderBytes(path.join(dir, 'wal')),
    query,
    stop,
  };
}

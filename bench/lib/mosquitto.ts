// Debian's Mosquitto on a random free port of its own, in a throwaway directory: the reference
// broker of bench:mqtt, and the external broker of its Fluxgate-external row.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface Mosquitto {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** `conf`: extra mosquitto.conf lines. Undefined when Mosquitto is not installed or does not come up. */
export async function startMosquitto(conf: string): Promise<Mosquitto | undefined> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-bench-mosq-'));
  const file = path.join(dir, 'mosquitto.conf');
  writeFileSync(file, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n${conf}`);
  let child: ChildProcess;
  try {
    child = spawn('mosquitto', ['-c', file], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  const failed = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(true));
    const tryConnect = (n: number) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(false)));
      s.once('error', () => (n > 50 ? resolve(true) : setTimeout(() => tryConnect(n + 1), 100)));
    };
    tryConnect(0);
  });
  if (failed) {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

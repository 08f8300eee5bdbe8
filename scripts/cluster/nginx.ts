// The cluster's load balancer: Debian's nginx as a private instance (nginx -p <dir> -c <conf>, its
// pid, logs and temp files in <dir>, daemon off) from deploy/nginx/fluxgate.conf.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findBinary, freePort, portOpen, stopChild, waitUntil } from './processes.ts';
import { fillTemplate } from './template.ts';

export function nginxBinary(): string | undefined {
  return findBinary(['nginx']);
}

export interface LoadBalancer {
  port: number;
  url: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export async function startNginx(dir: string, nodePorts: number[], mqttWsPort: number, bind = '127.0.0.1'): Promise<LoadBalancer> {
  const bin = nginxBinary();
  if (!bin) throw new Error('nginx not installed (apt-get install -y nginx)');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    fillTemplate('deploy/nginx/fluxgate.conf', {
      RUN_DIR: dir,
      LISTEN: `${bind}:${port}`,
      NODE_SERVERS: nodePorts.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n'),
      MQTT_WS_ADDRESS: `127.0.0.1:${mqttWsPort}`,
    }),
  );
  const log = createWriteStream(path.join(dir, 'nginx.out'));
  // -e: the error log before the config is read (Debian's default is /var/log/nginx, maybe not writable).
  const child: ChildProcess = spawn(bin, ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  try {
    await waitUntil(child, 'nginx', () => portOpen(port));
  } catch (err) {
    await stopChild(child, 'SIGKILL');
    throw new Error(`${(err as Error).message} (logs: ${dir}/nginx.out, ${dir}/error.log)`);
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get pid() {
      return child.pid;
    },
    // SIGQUIT: nginx's graceful shutdown (SIGTERM is its fast one).
    stop: () => stopChild(child, 'SIGQUIT'),
  };
}

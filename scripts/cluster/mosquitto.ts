// The cluster's broker: a private Mosquitto (its own config and folder, free ports) from
// deploy/mosquitto/fluxgate-cluster.conf, with a TCP listener for nodes and devices and a
// websockets listener that nginx serves at /mqtt.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, createWriteStream, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findBinary, freePort, portOpen, stopChild, waitUntil } from './processes.ts';
import { fillTemplate } from './template.ts';

export interface BrokerAccess {
  /** Lines for the config's {{ACCESS}} placeholder. */
  config: string;
  /** Settings every node gets: its broker credentials and, with the plugin, MQTT_DYNSEC and its admin. */
  nodeEnv: Record<string, string>;
  /** Whether devices must authenticate (dynamic security) or the broker is anonymous. */
  secured: boolean;
}

const PLUGIN_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib', '/usr/local/lib'];

export function dynsecPlugin(): string | undefined {
  return PLUGIN_DIRS.map((d) => path.join(d, 'mosquitto_dynamic_security.so')).find((f) => existsSync(f));
}

/**
 * Who may use the cluster's broker: Mosquitto 2's dynamic security plugin with anonymous access off
 * (deploy/mosquitto/dynsec.conf, docs/mosquitto.md). `mosquitto_ctrl dynsec init` makes the admin
 * client Fluxgate provisions with; Fluxgate then creates its nodes' client and one client per device
 * (its id and key, a role for its own topics). `anonymous` (npm run cluster -- --anonymous, or no
 * plugin installed) leaves the broker open: fine on 127.0.0.1 only.
 */
export function brokerAccess(dir: string, anonymous = false): BrokerAccess {
  const plugin = dynsecPlugin();
  if (anonymous || !plugin) return { config: 'allow_anonymous true', nodeEnv: {}, secured: false };
  const admin = { username: 'dynsec-admin', password: randomBytes(18).toString('base64url') };
  const node = { username: 'fluxgate-node', password: randomBytes(18).toString('base64url') };
  const file = path.join(dir, 'dynamic-security.json');
  execFileSync('mosquitto_ctrl', ['dynsec', 'init', file, admin.username, admin.password], { stdio: 'ignore' });
  if (process.getuid?.() === 0) {
    // Started as root, Mosquitto runs as its own user, and the plugin rewrites this file as that user.
    const id = (flag: string) => Number(execFileSync('id', [flag, 'mosquitto']).toString().trim());
    chownSync(dir, id('-u'), id('-g'));
    chownSync(file, id('-u'), id('-g'));
  }
  return {
    config: `allow_anonymous false\nplugin ${plugin}\nplugin_opt_config_file ${file}`,
    nodeEnv: {
      MQTT_DYNSEC: 'true',
      MQTT_DYNSEC_ADMIN_USERNAME: admin.username,
      MQTT_DYNSEC_ADMIN_PASSWORD: admin.password,
      MQTT_USERNAME: node.username,
      MQTT_PASSWORD: node.password,
    },
    secured: true,
  };
}

export interface ClusterBroker {
  /** For nodes (MQTT_URL) and devices over TCP. */
  tcpUrl: string;
  tcpPort: number;
  wsPort: number;
  access: BrokerAccess;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export function mosquittoBinary(): string | undefined {
  return findBinary(['mosquitto']);
}

export async function startBroker(dir: string, bind = '127.0.0.1', anonymous = false): Promise<ClusterBroker> {
  const bin = mosquittoBinary();
  if (!bin) throw new Error('mosquitto not installed (apt-get install -y mosquitto)');
  const tcpPort = await freePort();
  const wsPort = await freePort();
  const access = brokerAccess(dir, anonymous);
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(conf, fillTemplate('deploy/mosquitto/fluxgate-cluster.conf', { TCP_PORT: String(tcpPort), WS_PORT: String(wsPort), BIND: bind, ACCESS: access.config }));
  const log = createWriteStream(path.join(dir, 'mosquitto.log'));
  const child: ChildProcess = spawn(bin, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  try {
    await waitUntil(child, 'mosquitto', async () => (await portOpen(tcpPort)) && (await portOpen(wsPort)));
  } catch (err) {
    await stopChild(child, 'SIGKILL');
    throw new Error(`${(err as Error).message} (log: ${path.join(dir, 'mosquitto.log')})`);
  }
  return {
    tcpUrl: `mqtt://127.0.0.1:${tcpPort}`,
    tcpPort,
    wsPort,
    access,
    get pid() {
      return child.pid;
    },
    stop: () => stopChild(child),
  };
}

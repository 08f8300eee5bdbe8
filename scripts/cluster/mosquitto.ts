// The cluster's broker: a private Mosquitto (its own config and folder, free ports) from
// deploy/mosquitto/fluxgate-cluster.conf, with a TCP listener for nodes and devices and a
// websockets listener that nginx serves at /mqtt.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findBinary, freePort, portOpen, stopChild, waitUntil } from './processes.ts';
import { fillTemplate } from './template.ts';

export interface BrokerAccess {
  /** Lines for the config's {{ACCESS}} placeholder. */
  config: string;
  /** Credentials the nodes use (MQTT_USERNAME / MQTT_PASSWORD); none while anonymous. */
  nodeUsername?: string;
  nodePassword?: string;
}

/**
 * Who may use the cluster's broker. The ONE place to secure it: switch on Mosquitto's
 * dynamic-security plugin here (plugin + plugin_opt_config_file lines, an admin client for the
 * nodes, a role per device), and return the nodes' credentials. Until then the broker is anonymous,
 * as the external-mode tests run it: fine on 127.0.0.1, not for production (docs/scaling.md).
 */
export function brokerAccess(): BrokerAccess {
  return { config: 'allow_anonymous true' };
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

export async function startBroker(dir: string, bind = '127.0.0.1'): Promise<ClusterBroker> {
  const bin = mosquittoBinary();
  if (!bin) throw new Error('mosquitto not installed (apt-get install -y mosquitto)');
  const tcpPort = await freePort();
  const wsPort = await freePort();
  const access = brokerAccess();
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

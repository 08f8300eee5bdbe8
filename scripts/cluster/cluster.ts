// A whole Fluxgate cluster on one machine: a fresh PostgreSQL schema, a private Mosquitto, N nodes
// in external broker mode and nginx in front of them, each on free ports, everything under one
// temporary folder. `npm run cluster`, the kill-a-node test and the cluster benchmark start it here.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FluxgateNode } from './fluxgate-node.ts';
import { type ClusterBroker, startBroker } from './mosquitto.ts';
import { type LoadBalancer, startNginx } from './nginx.ts';
import { type ClusterSchema, freshSchema } from './postgres-schema.ts';
import { freePort } from './processes.ts';

export interface ClusterOptions {
  nodes: number;
  databaseUrl: string;
  /** Password of the `admin` user the first node creates; generated when absent. */
  adminPassword?: string;
  /** More settings for every node (e.g. RATE_LIMIT_INGEST=0 for load tests). */
  nodeEnv?: Record<string, string>;
  /** Keep the schema and the folder (logs, configs) after stop. */
  keep?: boolean;
  /** Run the broker without the dynamic security plugin (anyone may connect: 127.0.0.1 only). */
  anonymous?: boolean;
}

export interface Cluster {
  /** The load balancer: HTTP API, dashboard, /api/v1/stream and /mqtt. */
  url: string;
  /** MQTT over WebSocket through the load balancer. */
  mqttWsUrl: string;
  /** MQTT over TCP, straight to the broker. */
  mqttTcpUrl: string;
  adminPassword: string;
  schema: string;
  dir: string;
  nodes: FluxgateNode[];
  broker: ClusterBroker;
  loadBalancer: LoadBalancer;
  /** Stops everything; `keepFiles` keeps the folder (logs) even without the `keep` option. */
  stop(options?: { keepFiles?: boolean }): Promise<void>;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-cluster-'));
  const adminPassword = options.adminPassword ?? randomBytes(12).toString('base64url');
  const started: Array<() => Promise<void>> = [];
  // Undo in reverse order: load balancer, nodes, broker, schema.
  const stopAll = async () => {
    for (const stop of started.reverse()) await stop().catch((err: unknown) => console.error(`cluster stop: ${(err as Error).message}`));
    started.length = 0;
  };
  try {
    const schema: ClusterSchema = await freshSchema(options.databaseUrl);
    started.push(async () => {
      if (!options.keep) await schema.drop();
    });
    const broker = await startBroker(path.join(dir), '127.0.0.1', options.anonymous === true);
    started.push(() => broker.stop());

    const env: Record<string, string> = {
      HOST: '127.0.0.1',
      DATABASE_URL: options.databaseUrl,
      DATABASE_SCHEMA: schema.schema,
      MQTT_URL: broker.tcpUrl,
      ...broker.access.nodeEnv,
      TRUST_PROXY: 'true',
      ADMIN_PASSWORD: adminPassword,
      LOG_LEVEL: 'warn',
      ...options.nodeEnv,
    };
    const nodes: FluxgateNode[] = [];
    for (let i = 1; i <= options.nodes; i++) nodes.push(new FluxgateNode(`node-${i}`, await freePort(), env, path.join(dir, `node-${i}`)));
    started.push(async () => {
      await Promise.all(nodes.map((n) => n.stop()));
      nodes.forEach((n) => n.close());
    });
    // The first node alone creates the tables and the admin user; then the others join at once.
    await nodes[0]!.start();
    await Promise.all(nodes.slice(1).map((n) => n.start()));

    const loadBalancer = await startNginx(path.join(dir, 'nginx'), nodes.map((n) => n.port), broker.wsPort);
    started.push(() => loadBalancer.stop());

    return {
      url: loadBalancer.url,
      mqttWsUrl: `ws://127.0.0.1:${loadBalancer.port}/mqtt`,
      mqttTcpUrl: broker.tcpUrl,
      adminPassword,
      schema: schema.schema,
      dir,
      nodes,
      broker,
      loadBalancer,
      async stop(how?: { keepFiles?: boolean }) {
        await stopAll();
        if (!options.keep && !how?.keepFiles) rmSync(dir, { recursive: true, force: true });
        else if (how?.keepFiles) console.error(`cluster: logs kept in ${dir}`);
      },
    };
  } catch (err) {
    await stopAll();
    console.error(`cluster: start failed; logs kept in ${dir}`);
    throw err;
  }
}

// `npm run cluster`: a Fluxgate cluster on this machine (scripts/cluster/cluster.ts), with nginx as
// the load balancer. Prints its URLs and runs until Ctrl-C / SIGTERM, then stops everything.
// Options: --nodes N (3), --database-url URL (the machine's PostgreSQL), --admin-password P, --keep,
// --anonymous (Mosquitto without its dynamic security plugin: devices need no credentials).
import { parseArgs } from 'node:util';
import { type Cluster, startCluster } from './cluster/cluster.ts';
import { DEFAULT_CLUSTER_DATABASE_URL } from './cluster/postgres-schema.ts';

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '3' },
    'database-url': { type: 'string', default: DEFAULT_CLUSTER_DATABASE_URL },
    'admin-password': { type: 'string' },
    keep: { type: 'boolean', default: false },
    anonymous: { type: 'boolean', default: false },
  },
});
const nodes = Number(args.nodes);
if (!Number.isInteger(nodes) || nodes < 1 || nodes > 16) {
  console.error('--nodes must be a whole number from 1 to 16');
  process.exit(2);
}

console.log(`starting PostgreSQL schema, Mosquitto, ${nodes} Fluxgate node(s) and nginx…`);
const starting: Promise<Cluster | undefined> = startCluster({
  nodes,
  databaseUrl: args['database-url'],
  keep: args.keep,
  anonymous: args.anonymous,
  ...(args['admin-password'] ? { adminPassword: args['admin-password'] } : {}),
}).catch((err: unknown) => {
  console.error(`cluster: ${(err as Error).message}`);
  process.exit(1);
});

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the cluster…`);
  // A signal during start-up stops what the start brings up, once it is up.
  await (await starting)?.stop();
  console.log('stopped');
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

// While a stop is under way it owns the exit; this only prints what came up.
const c = await starting;
if (c && !stopping) printUrls(c);

function printUrls(c: Cluster): void {
  console.log(`
Fluxgate cluster is up (${c.dir}${args.keep ? ', kept after stop' : ''})

  Dashboard and HTTP API   ${c.url}/            (admin / ${c.adminPassword})
  API docs                 ${c.url}/docs
  Live stream (WebSocket)  ${c.url.replace('http', 'ws')}/api/v1/stream
  MQTT over WebSocket      ${c.mqttWsUrl}
  MQTT (TCP, the broker)   ${c.mqttTcpUrl}
  Broker access            ${c.broker.access.secured ? 'dynamic security: devices connect with their id and API key, each to its own topics only' : 'anonymous (--anonymous or no dynamic security plugin): 127.0.0.1 only'}
  PostgreSQL schema        ${c.schema} on ${args['database-url']}

  Nodes (behind nginx):
${c.nodes.map((n) => `    ${n.name}  ${n.url}  pid ${n.pid}  log ${n.dataDir}/node.log`).join('\n')}

Ctrl-C stops everything.`);
}

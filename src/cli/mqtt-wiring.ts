// Wires MQTT: the embedded broker with its listeners, or (MQTT_URL) a client of an external broker.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import path from 'node:path';
import type { Config } from '../config.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from '../transport/mqtt/mqtt-broker.ts';
import type { MqttDeps } from '../transport/mqtt/mqtt-deps.ts';
import { connectClusterBus } from '../transport/mqtt/mqtt-cluster-bus.ts';
import { connectExternalBroker } from '../transport/mqtt/mqtt-external.ts';
import { attachWebSocket, closeServer, tcpServer, tlsServer } from '../transport/mqtt/mqtt-listeners.ts';
import { StartupError, listenServerOrExplain } from './listen.ts';

export interface RunningMqtt {
  /** Bound TCP port of the embedded broker. */
  port?: number;
  tlsPort?: number;
  broker?: EmbeddedBroker;
  /** External broker mode: whether this node is connected and subscribed. */
  health?(): { ok: boolean; [detail: string]: unknown };
  close(): Promise<void>;
}

/** This node's client id on the external broker, kept in DATA_DIR so it survives restarts. */
function externalClientId(dataDir: string): string {
  const file = path.join(dataDir, 'mqtt-client-id');
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (id) return id;
  } catch {
    // first start: make one
  }
  const id = `fluxgate-${randomBytes(8).toString('hex')}`;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${id}\n`);
  return id;
}

export async function startMqtt(config: Config, deps: MqttDeps, http: HttpServer): Promise<RunningMqtt> {
  if (config.MQTT_URL) {
    const external = await connectExternalBroker(deps, {
      url: config.MQTT_URL,
      username: config.MQTT_USERNAME,
      password: config.MQTT_PASSWORD,
      shareGroup: config.MQTT_SHARE_GROUP,
      connections: config.MQTT_EXTERNAL_CONNECTIONS,
      receiveMaximum: config.MQTT_EXTERNAL_RECEIVE_MAXIMUM,
      clientId: externalClientId(config.DATA_DIR),
    }).catch((err: unknown) => {
      throw new StartupError(`MQTT_URL=${config.MQTT_URL} cannot be reached: ${(err as Error).message}`);
    });
    // Events of this node reach the live views of the others (and theirs reach this node's).
    const events = await connectClusterBus(deps.bus, {
      url: config.MQTT_URL,
      username: config.MQTT_USERNAME,
      password: config.MQTT_PASSWORD,
      shareGroup: config.MQTT_SHARE_GROUP,
      topicPrefix: config.MQTT_TOPIC_PREFIX,
      nodeId: randomBytes(8).toString('hex'),
      logger: deps.logger,
    }).catch(async (err: unknown) => {
      await external.close();
      throw new StartupError(`MQTT_URL=${config.MQTT_URL} refused the cluster event connection: ${(err as Error).message}`);
    });
    return {
      health: () => ({
        ok: external.receiving,
        mode: 'external',
        connected: external.connected,
        // Live events of other nodes: best effort, so a lost connection informs but does not fail health.
        cluster_events: { connected: events.connected, ...events.counts },
      }),
      async close() {
        await events.close();
        await external.close();
      },
    };
  }
  const broker = await startEmbeddedBroker(deps, config.DATA_DIR);
  const closers: Array<() => Promise<void>> = [];
  const running: RunningMqtt = {
    broker,
    async close() {
      // Stop accepting first, then close the clients (a server's close waits for its connections).
      const closing = closers.map((close) => close());
      await broker.close();
      await Promise.all(closing);
    },
  };
  try {
    const tcp = tcpServer(broker.aedes, config.MQTT_MAX_PAYLOAD_BYTES);
    running.port = await listenServerOrExplain(tcp, config.HOST, config.MQTT_PORT, 'MQTT_PORT', config.MQTT_LISTEN_BACKLOG);
    closers.push(() => closeServer(tcp));
    if (config.MQTT_TLS_CERT && config.MQTT_TLS_KEY) {
      const tls = tlsServer(broker.aedes, readFileSync(config.MQTT_TLS_CERT), readFileSync(config.MQTT_TLS_KEY), config.MQTT_MAX_PAYLOAD_BYTES);
      running.tlsPort = await listenServerOrExplain(tls, config.HOST, config.MQTT_TLS_PORT, 'MQTT_TLS_PORT', config.MQTT_LISTEN_BACKLOG);
      closers.push(() => closeServer(tls));
    }
    closers.push(attachWebSocket(broker.aedes, http, config.MQTT_MAX_PAYLOAD_BYTES));
  } catch (err) {
    await running.close();
    throw err;
  }
  return running;
}

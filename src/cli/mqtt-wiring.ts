// Wires MQTT: the embedded broker with its listeners, or (MQTT_URL) a client of an external broker.
import { readFileSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import type { Config } from '../config.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from '../transport/mqtt/mqtt-broker.ts';
import type { MqttDeps } from '../transport/mqtt/mqtt-deps.ts';
import { connectExternalBroker } from '../transport/mqtt/mqtt-external.ts';
import { attachWebSocket, closeServer, tcpServer, tlsServer } from '../transport/mqtt/mqtt-listeners.ts';
import { StartupError, listenServerOrExplain } from './listen.ts';

export interface RunningMqtt {
  /** Bound TCP port of the embedded broker. */
  port?: number;
  tlsPort?: number;
  broker?: EmbeddedBroker;
  close(): Promise<void>;
}

export async function startMqtt(config: Config, deps: MqttDeps, http: HttpServer): Promise<RunningMqtt> {
  if (config.MQTT_URL) {
    const external = await connectExternalBroker(deps, {
      url: config.MQTT_URL,
      username: config.MQTT_USERNAME,
      password: config.MQTT_PASSWORD,
      shareGroup: config.MQTT_SHARE_GROUP,
    }).catch((err: unknown) => {
      throw new StartupError(`MQTT_URL=${config.MQTT_URL} cannot be reached: ${(err as Error).message}`);
    });
    return { close: () => external.close() };
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
    const tcp = tcpServer(broker.aedes);
    running.port = await listenServerOrExplain(tcp, config.HOST, config.MQTT_PORT, 'MQTT_PORT', config.MQTT_LISTEN_BACKLOG);
    closers.push(() => closeServer(tcp));
    if (config.MQTT_TLS_CERT && config.MQTT_TLS_KEY) {
      const tls = tlsServer(broker.aedes, readFileSync(config.MQTT_TLS_CERT), readFileSync(config.MQTT_TLS_KEY));
      running.tlsPort = await listenServerOrExplain(tls, config.HOST, config.MQTT_TLS_PORT, 'MQTT_TLS_PORT', config.MQTT_LISTEN_BACKLOG);
      closers.push(() => closeServer(tls));
    }
    closers.push(attachWebSocket(broker.aedes, http));
  } catch (err) {
    await running.close();
    throw err;
  }
  return running;
}

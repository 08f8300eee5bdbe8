// The embedded broker: aedes 1.x (MQTT 3.1.1) with sessions, subscriptions and queued QoS 1
// messages kept in LevelDB under DATA_DIR, so they survive a restart. Listeners are added by
// mqtt-listeners.ts; policy comes in through the hooks (authenticate, ACL, bridge).
import { Aedes } from 'aedes';
import { MqttAcl } from './mqtt-acl.ts';
import { MqttClients } from './mqtt-authenticate.ts';
import { MqttBridge } from './mqtt-bridge.ts';
import type { MqttDeps } from './mqtt-deps.ts';
import { openMqttPersistence } from './mqtt-persistence.ts';
import { MqttStatusPublisher } from './mqtt-status.ts';

export interface EmbeddedBroker {
  readonly aedes: Aedes;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(deps: MqttDeps, dataDir: string): Promise<EmbeddedBroker> {
  const persistence = await openMqttPersistence(dataDir);
  const clients = new MqttClients(deps);
  const acl = new MqttAcl(deps, clients);
  const bridge = new MqttBridge(deps, clients, acl);
  const aedes = await Aedes.createBroker({
    persistence,
    connectTimeout: deps.options.connectTimeoutMs,
    maxClientsIdLength: 128,
    authenticate: clients.authenticate,
    authorizePublish: bridge.authorizePublish,
    authorizeSubscribe: acl.authorizeSubscribe,
  });
  const status = new MqttStatusPublisher(deps, clients, (packet) => new Promise((resolve, reject) => {
    aedes.publish(packet, (err) => (err ? reject(err) : resolve()));
  }));
  status.attach(aedes);

  return {
    aedes,
    async close() {
      status.detach();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await persistence.destroy();
    },
  };
}

// Online/offline over MQTT: a device's connect and disconnect (a lost connection fires its last
// will as well) go to Connectivity; every status change on the bus is published retained on
// `devices/{id}/status`, so a subscriber learns the current status at once.
import type { Aedes, Client, PublishPacket } from 'aedes';
import type { MqttStatusPayload } from '../../contract/mqtt-topics.ts';
import type { MqttClients } from './mqtt-authenticate.ts';
import type { MqttDeps } from './mqtt-deps.ts';

const OWNER = 'mqtt-status';

export type PublishFn = (packet: PublishPacket) => Promise<void>;

export class MqttStatusPublisher {
  constructor(
    private readonly deps: MqttDeps,
    private readonly clients: MqttClients | undefined,
    private readonly publish: PublishFn,
  ) {}

  attach(aedes?: Aedes): void {
    this.deps.bus.on('device.status', OWNER, ({ deviceId, online, at }) => {
      const body: MqttStatusPayload = { status: online ? 'online' : 'offline', timestamp: new Date(at).toISOString() };
      this.publish({
        cmd: 'publish',
        topic: this.deps.policy.topics.status(deviceId),
        payload: Buffer.from(JSON.stringify(body)),
        qos: 1,
        retain: true,
        dup: false,
      }).catch((err: unknown) => this.deps.logger.warn({ err, deviceId }, 'MQTT status publish failed'));
    });
    if (!aedes) return;
    aedes.on('clientReady', (client: Client) => {
      this.deps.metrics.mqttClients.inc();
      const who = this.clients?.identityOf(client);
      if (who?.kind !== 'device') return;
      this.deps.connectivity.connected(who.deviceId);
    });
    aedes.on('clientDisconnect', (client: Client) => {
      this.deps.metrics.mqttClients.dec();
      const who = this.clients?.identityOf(client);
      if (who?.kind === 'device') this.deps.connectivity.disconnected(who.deviceId);
    });
  }

  detach(): void {
    this.deps.bus.removeOwner(OWNER);
  }
}

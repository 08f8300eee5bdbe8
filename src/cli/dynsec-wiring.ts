// MQTT_DYNSEC: Fluxgate provisions devices and its own node client on Mosquitto's dynamic security
// plugin (docs/mosquitto.md). The provisioner exists from the start so DeviceService can hold it;
// start() connects as the dynsec admin, makes the node client and resyncs, before the node
// connects to the broker as that client.
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { MqttTopics } from '../contract/mqtt-topics.ts';
import type { DeviceCredentialSync } from '../services/device-credentials.ts';
import { DynsecControl } from '../transport/mqtt/dynsec-control.ts';
import { type DeviceCredentialSource, DynsecProvisioner } from '../transport/mqtt/dynsec-provisioner.ts';
import { StartupError } from './listen.ts';

export interface RunningDynsec {
  readonly sync: DeviceCredentialSync;
  start(): Promise<void>;
  health(): { ok: boolean; connected: boolean; last_resync?: unknown };
  close(): Promise<void>;
}

export function dynsecWiring(config: Config, registry: DeviceCredentialSource, logger: Logger, mayResync: () => boolean): RunningDynsec | undefined {
  const { MQTT_URL: url, MQTT_DYNSEC_ADMIN_USERNAME: username, MQTT_DYNSEC_ADMIN_PASSWORD: password } = config;
  if (!config.MQTT_ENABLED || !config.MQTT_DYNSEC || !url || !username || !password || !config.MQTT_USERNAME || !config.MQTT_PASSWORD) return undefined;
  let control: DynsecControl | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastResync: unknown;
  const provisioner = new DynsecProvisioner(
    () => control,
    { topics: new MqttTopics(config.MQTT_TOPIC_PREFIX), shareGroup: config.MQTT_SHARE_GROUP, nodeUsername: config.MQTT_USERNAME, nodePassword: config.MQTT_PASSWORD },
    logger,
  );
  const resync = async () => {
    const summary = await provisioner.resync(registry);
    lastResync = { at: new Date().toISOString(), ...summary };
    logger.info(summary, 'dynamic security: device clients resynced');
  };
  return {
    sync: provisioner,
    async start() {
      try {
        control = await DynsecControl.connect({ url, username, password });
        await provisioner.ensureNode();
        await resync();
      } catch (err) {
        await control?.close().catch(() => {});
        control = undefined;
        throw new StartupError(`MQTT_DYNSEC: provisioning on ${url} as ${username} failed: ${(err as Error).message} (check MQTT_DYNSEC_ADMIN_USERNAME/PASSWORD and the plugin, docs/mosquitto.md)`);
      }
      if (config.MQTT_DYNSEC_RESYNC_S > 0) {
        timer = setInterval(() => {
          if (mayResync()) void resync().catch((err: unknown) => logger.warn({ err }, 'dynamic security resync failed'));
        }, config.MQTT_DYNSEC_RESYNC_S * 1000);
        timer.unref();
      }
    },
    health: () => ({ ok: control?.connected ?? false, connected: control?.connected ?? false, ...(lastResync ? { last_resync: lastResync } : {}) }),
    async close() {
      clearInterval(timer);
      await control?.close();
      control = undefined;
    },
  };
}

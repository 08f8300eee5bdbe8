// Demo mode (`fluxgate start --demo`, DEMO=true): the simulator runs inside the platform process
// with seed 001's five default devices and one device of every other kind (thermostat, plug, meter,
// lock, camera, motion sensor), each created with a few days of history, so a newcomer sees live
// data and full charts at once. It provisions through
// the public HTTP API and its devices connect to the embedded MQTT broker with their own keys, as real
// devices would; only when the embedded broker is off (MQTT_ENABLED=false, or an external MQTT_URL
// whose ACL may not know our device keys) do they send over HTTP. Only the admin token is minted here.
import type { Platform } from './platform.ts';
import { DEMO_BACKFILL_DAYS, DEMO_DEVICES, DEMO_KNOBS, EmbeddedSimulator } from '../simulator/embedded.ts';
import { MqttTransport } from '../simulator/links/mqtt-link.ts';
import { simulationRoutes } from './simulation-routes.ts';

export interface Demo {
  simulator(): EmbeddedSimulator | undefined;
  /** After listen: provision the default devices and start sending. */
  start(port: number): Promise<EmbeddedSimulator>;
  stop(): Promise<void>;
}

/** Registers the simulation routes (call before listen) and returns the demo handle. */
export function attachDemo(platform: Platform): Demo {
  let sim: EmbeddedSimulator | undefined;
  simulationRoutes(platform.http, platform.auth, () => sim);
  return {
    simulator: () => sim,
    async start(port) {
      const host = ['0.0.0.0', '::'].includes(platform.config.HOST) ? '127.0.0.1' : platform.config.HOST;
      const hostPart = host.includes(':') ? `[${host}]` : host;
      const mqttPort = platform.mqtt?.port;
      const s = new EmbeddedSimulator({
        baseUrl: `http://${hostPart}:${port}`,
        knobs: DEMO_KNOBS,
        ...(mqttPort === undefined
          ? {}
          : {
              transportKind: 'mqtt' as const,
              transport: () => new MqttTransport({ url: `mqtt://${hostPart}:${mqttPort}`, topicPrefix: platform.config.MQTT_TOPIC_PREFIX }),
            }),
      });
      await s.provision(await platform.accessTokenFor(platform.config.ADMIN_USERNAME), DEMO_DEVICES, DEMO_BACKFILL_DAYS);
      const started = await s.start();
      sim = s;
      if (started.failed.length > 0) platform.logger.warn({ failed: started.failed }, 'demo: some simulated devices could not connect');
      const { transport, devices } = s.status();
      platform.logger.info({ devices: devices.map((d) => d.id), transport }, `demo: simulator running with ${devices.length} devices (the IoT Mock Service's five and one of every other kind) over ${transport.toUpperCase()}`);
      return s;
    },
    async stop() {
      await sim?.stop();
    },
  };
}

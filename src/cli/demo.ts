// Demo mode (`fluxgate start --demo`, DEMO=true): the simulator runs inside the platform process
// with seed 001's five default devices, so a newcomer sees live data at once. It provisions and
// sends through the platform's public API like any client; only the admin token is minted here.
// TODO(mqtt merge): run the fleet over MQTT to the embedded broker instead of HTTP.
import type { Platform } from './platform.ts';
import { EmbeddedSimulator } from '../simulator/embedded.ts';
import { knobsFor } from '../simulator/profiles.ts';
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
      const s = new EmbeddedSimulator({ baseUrl: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, knobs: knobsFor('default') });
      await s.provisionDefaults(await platform.accessTokenFor(platform.config.ADMIN_USERNAME));
      await s.start();
      sim = s;
      platform.logger.info({ devices: s.status().devices.map((d) => d.id) }, 'demo: simulator running with the five seed-001 devices');
      return s;
    },
    async stop() {
      await sim?.stop();
    },
  };
}

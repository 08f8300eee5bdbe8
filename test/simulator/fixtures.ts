// What the simulator tests run against: the real platform in-process on port 0 with a fresh SQLite
// folder (talked to over real HTTP only), and the real Mosquitto at 127.0.0.1:1883 when present.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Platform, createPlatform } from '../../src/cli/platform.ts';
import { loadConfig } from '../../src/config.ts';
import { portOpen } from '../helpers/services.ts';

export const ADMIN_PASSWORD = 'admin-sim-password-1';

export interface SimPlatform {
  platform: Platform;
  baseUrl: string;
  stop(): Promise<void>;
}

export async function startSimPlatform(): Promise<SimPlatform> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-sim-'));
  const platform = await createPlatform(
    loadConfig({ HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', LOG_LEVEL: 'silent', ADMIN_PASSWORD, DATA_DIR: dataDir }),
  );
  const { port } = await platform.listen();
  return {
    platform,
    baseUrl: `http://127.0.0.1:${port}`,
    async stop() {
      await platform.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const MOSQUITTO_URL = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

/** undefined when Mosquitto answers; else the reason to skip (under CI=true a missing broker throws). */
export async function mosquittoSkipReason(): Promise<string | undefined> {
  const u = new URL(MOSQUITTO_URL);
  if (await portOpen(Number(u.port || 1883), u.hostname)) return undefined;
  const message = `Mosquitto not reachable at ${MOSQUITTO_URL}`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI=true requires it`);
  console.warn(`SKIP: ${message}`);
  return `SKIP: ${message}`;
}

/** Waits until `check` is true, polling; fails with `what` after `ms`. */
export async function waitFor(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

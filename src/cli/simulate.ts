// `fluxgate simulate`: provision (or load) devices, run them over MQTT or HTTP against a running
// platform, draw a live progress line and print a summary. Stops on Ctrl-C or after --duration.
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { Fleet } from '../simulator/fleet.ts';
import { HttpTransport } from '../simulator/links/http-link.ts';
import { MqttTransport } from '../simulator/links/mqtt-link.ts';
import type { Transport } from '../simulator/links/link.ts';
import { DEVICE_TYPES, SEED_001_TYPES } from '../simulator/models/registry.ts';
import { PlatformClient, readDevicesFile, writeDevicesFile, type ProvisionedDevice } from '../simulator/platform-client.ts';
import { PROFILE_NAMES } from '../simulator/profiles.ts';
import { RateMeter } from '../simulator/stats.ts';
import { planSimulation, type SimulateFlags, type SimulatePlan } from './simulate-options.ts';

type Out = (line: string) => void;

async function devicesFor(plan: SimulatePlan, out: Out): Promise<ProvisionedDevice[]> {
  if (plan.devicesFile) {
    const devices = await readDevicesFile(plan.devicesFile);
    out(`Loaded ${devices.length} devices from ${plan.devicesFile}`);
    return devices;
  }
  const client = new PlatformClient(plan.url, plan.auth && 'token' in plan.auth ? plan.auth.token : undefined);
  if (plan.auth && 'password' in plan.auth) await client.login(plan.auth.username, plan.auth.password);
  const devices = await client.provision(plan.count, plan.types);
  out(`Provisioned ${devices.length} devices on ${plan.url} (${[...new Set(devices.map((d) => d.type))].join(', ')})`);
  if (plan.saveDevices) {
    await writeDevicesFile(plan.saveDevices, devices);
    out(`Saved their ids and API keys to ${plan.saveDevices} (reuse with --devices-file)`);
  }
  return devices;
}

export function summarize(fleet: Fleet, elapsedMs: number): string[] {
  const c = fleet.counters;
  const secs = elapsedMs / 1000;
  const rate = secs > 0 ? c.accepted / secs : 0;
  return [
    `Ran ${fleet.size} devices for ${secs.toFixed(1)} s`,
    `  messages: ${c.sent} sent, ${c.accepted} accepted, ${c.rejected} refused, ${c.failed} failed (${rate.toFixed(1)}/s accepted, schedule ${fleet.scheduledRate().toFixed(1)}/s)`,
    `  injected: ${c.dropped} dropped, ${c.malformed} malformed, ${c.spikes} spikes, ${c.offlineEvents} offline spells`,
    `  commands: ${c.commands} received, ${c.commandsFailed} failed, ${c.acksSent} acks sent; ${c.desiredUpdates} desired-state updates`,
    `  schedule: ${c.scheduled ? (c.lateMsSum / c.scheduled).toFixed(1) : '0'} ms late on average, ${c.lateMsMax.toFixed(0)} ms at worst; ${c.errors} errors`,
  ];
}

/** Runs a planned simulation until `signal` aborts or the duration ends; returns the fleet for inspection. */
export async function runSimulation(plan: SimulatePlan, out: Out = console.log, signal?: AbortSignal): Promise<Fleet> {
  const devices = await devicesFor(plan, out);
  const transport: Transport =
    plan.transport === 'mqtt' ? new MqttTransport({ url: plan.mqttUrl, topicPrefix: plan.topicPrefix }) : new HttpTransport({ baseUrl: plan.url });
  const errors = new Map<string, number>();
  const fleet = new Fleet({
    devices: devices.map((d) => ({ credentials: { id: d.id, apiKey: d.api_key, type: d.type } })),
    knobs: plan.knobs,
    transport,
    seed: plan.seed,
    simStart: plan.simStart,
    onError: (err) => errors.set(err.message, (errors.get(err.message) ?? 0) + 1),
  });
  if (plan.knobs.timeAcceleration > 1 && plan.simStart === undefined) {
    out(`Note: simulated time runs ${plan.knobs.timeAcceleration}× faster from now; the platform refuses readings more than 24 h ahead. Use --start to begin in the past.`);
  }
  out(`Connecting ${devices.length} devices over ${plan.transport === 'mqtt' ? plan.mqttUrl : plan.url} …`);
  const started = await fleet.start();
  if (started.failed.length > 0) out(`  ${started.failed.length} could not connect, e.g. ${started.failed[0]!.id}: ${started.failed[0]!.error}`);
  const t0 = Date.now();
  const bar = new cliProgress.SingleBar({
    format: '{online}/{devices} online | {rate} msg/s | sent {sent} | accepted {accepted} | acks {acks} | errors {errors}',
    noTTYOutput: true,
    notTTYSchedule: 5000,
    hideCursor: true,
  });
  const meter = new RateMeter();
  const payload = () => {
    const c = fleet.counters;
    return { online: fleet.online, devices: fleet.size, rate: meter.sample(Date.now(), c.accepted).toFixed(1), sent: c.sent, accepted: c.accepted, acks: c.acksSent, errors: c.errors + c.failed };
  };
  if (plan.progress) bar.start(plan.durationMs ? Math.round(plan.durationMs / 1000) : 0, 0, payload());
  const ticker = setInterval(() => {
    if (plan.progress) bar.update(Math.round((Date.now() - t0) / 1000), payload());
  }, 1000);
  await new Promise<void>((resolve) => {
    const timer = plan.durationMs ? setTimeout(resolve, plan.durationMs) : undefined;
    signal?.addEventListener('abort', () => {
      if (timer) clearTimeout(timer);
      resolve();
    });
  });
  clearInterval(ticker);
  if (plan.progress) {
    bar.update(Math.round((Date.now() - t0) / 1000), payload());
    bar.stop();
  }
  await fleet.stop();
  for (const line of summarize(fleet, Date.now() - t0)) out(line);
  const top = [...errors.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
  for (const [message, n] of top) out(`  error ×${n}: ${message}`);
  return fleet;
}

export function registerSimulate(program: Command, fail: (err: unknown) => never): void {
  program
    .command('simulate')
    .description('Run simulated devices against a running platform over MQTT or HTTP (see README "Simulator")')
    .option('--url <url>', 'platform base URL', process.env.FLUXGATE_URL ?? 'http://127.0.0.1:8080')
    .option('--username <name>', 'user that provisions the devices', 'admin')
    .option('--password <password>', 'that user\'s password (or FLUXGATE_PASSWORD)')
    .option('--token <jwt>', 'access token instead of username/password (or FLUXGATE_TOKEN)')
    .option('--devices-file <path>', 'use existing devices: JSON [{id, api_key, type}]')
    .option('--save-devices <path>', 'write the provisioned ids and API keys here')
    .option('-n, --count <n>', 'devices to provision', '5')
    .option('--types <list>', `comma-separated types, "seed001" or "all": ${DEVICE_TYPES.join(', ')}`, SEED_001_TYPES.join(','))
    .option('--transport <kind>', 'mqtt or http', 'mqtt')
    .option('--mqtt-url <url>', 'broker URL (default mqtt://<url host>:1883)')
    .option('--topic-prefix <prefix>', 'MQTT_TOPIC_PREFIX of the platform', '')
    .option('--profile <name>', `realism profile: ${PROFILE_NAMES.join(', ')}`, 'default')
    .option('--interval <seconds>', 'seconds between a device\'s messages')
    .option('--variation <fraction>', 'random variation of readings, 0.1 = ±10 %')
    .option('--base-load <n>', 'base power in kW (smart meter: kWh per interval)')
    .option('--minutes-per-second <n>', 'time acceleration: 1 real second = N simulated minutes')
    .option('--battery-drain <percent>', 'battery percent lost per simulated hour')
    .option('--jitter <ms>', 'largest random network delay per message')
    .option('--offline-rate <p>', 'chance per message of dropping offline (last will fires)')
    .option('--offline-seconds <s>', 'how long an offline spell lasts')
    .option('--drop-rate <p>', 'chance per message of losing it')
    .option('--spike-rate <p>', 'chance per message of a spike in the readings')
    .option('--malformed-rate <p>', 'chance per message of a malformed payload')
    .option('--duration <seconds>', 'stop after this long (default: until Ctrl-C)')
    .option('--seed <n>', 'random seed: the same seed replays the same readings', '1')
    .option('--start <iso>', 'simulated start time (default now)')
    .option('--no-progress', 'no live progress line')
    .action(async (flags: SimulateFlags) => {
      try {
        const plan = planSimulation(flags);
        const controller = new AbortController();
        process.once('SIGINT', () => controller.abort());
        process.once('SIGTERM', () => controller.abort());
        await runSimulation(plan, console.log, controller.signal);
        process.exit(0);
      } catch (err) {
        fail(err);
      }
    });
}

// Start-up to healthy: the time from spawning the platform (fresh SQLite DATA_DIR, random ports)
// until GET /health answers 200, for the TypeScript sources run through tsx and for the compiled
// build in dist/ (`npm run build` first), side by side. Medians over --runs (5) starts of each.
//   npm run build && npm run bench:startup [-- --runs 5]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { STAMP_FILE, sourceStamp } from '../scripts/source-stamp.mjs';
import { median, printTable } from './lib/table.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);

const stampPath = path.join(ROOT, STAMP_FILE);
if (!existsSync(stampPath) || readFileSync(stampPath, 'utf8').trim() !== sourceStamp(ROOT)) {
  console.error('dist/ is missing or older than src/: run `npm run build` first');
  process.exit(1);
}

/** How each variant starts `fluxgate start`: bin/fluxgate.js takes dist/ (its stamp matches); the
 * sources variant is what bin/fluxgate.js runs without a build (tsx registered, src/cli/main.ts). */
const VARIANTS: Array<{ name: string; args: string[] }> = [
  { name: 'sources through tsx', args: ['--import', 'tsx', 'src/cli/main.ts', 'start'] },
  { name: 'compiled dist/', args: ['bin/fluxgate.js', 'start'] },
];

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function healthy(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health`)).status === 200;
  } catch {
    return false;
  }
}

/** Milliseconds from spawn to the first 200 from /health. */
async function timeStart(args: string[]): Promise<number> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fluxgate-startup-'));
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), MQTT_PORT: String(await freePort()), DATA_DIR: dataDir, ADMIN_PASSWORD: 'startup-admin-password', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`fluxgate exited with ${child.exitCode}`);
      if (await healthy(port)) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const times = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
for (let run = 0; run < runs; run++) {
  // Alternating the variants spreads a burst of load from elsewhere over both.
  for (const variant of VARIANTS) times.get(variant.name)!.push(await timeStart(variant.args));
}
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
printTable(
  `Start-up to healthy (spawn → GET /health 200), ${runs} runs each, SQLite, fresh DATA_DIR`,
  ['variant', 'median', 'min', 'max'],
  VARIANTS.map((v) => {
    const t = times.get(v.name)!;
    return [v.name, seconds(median(t)), seconds(Math.min(...t)), seconds(Math.max(...t))];
  }),
);

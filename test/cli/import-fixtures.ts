// Runs `fluxgate import` as a user does, and reads back what the platform stored.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startCli } from '../helpers/cli-process.ts';
import type { Json, TestPlatform } from '../helpers/platform.ts';

export interface ImportRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export async function runImport(args: readonly string[], env: Record<string, string> = {}, cwd?: string): Promise<ImportRun> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !e[0].startsWith('FLUXGATE_')),
  );
  const run = startCli(path.resolve('bin/fluxgate.js'), ['import', ...args], { ...inherited, ...env }, cwd);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

export function writeFixture(dir: string, name: string, lines: readonly string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Every point the device has stored in the last two days, as the device's own key reads them. */
export async function storedPoints(tp: TestPlatform, deviceId: string, apiKey: string): Promise<Json[]> {
  const res = await tp.api('GET', `/api/v1/telemetry/${deviceId}?start_time=-2d&limit=10000&order=asc`, { apiKey });
  if (res.status !== 200) throw new Error(`history of ${deviceId} answered ${res.status}: ${res.text}`);
  return res.body.points as Json[];
}

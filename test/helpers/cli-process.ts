// Runs `fluxgate` as a user does (node bin/fluxgate.js …) in a child process, with its output kept
// for assertions; waits until it listens; stops it. Children still running are tracked, so a failed
// assertion never leaves a server that keeps the test file alive.
import { type ChildProcess, spawn } from 'node:child_process';

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Children of any test in this process still running: kill them in `after`. */
export const runningCli = new Set<ChildProcess>();

/**
 * The variables that move the clock (libfaketime's, as CI's second run sets them): a child given a
 * minimal environment must keep them, or it would run on another clock than the test.
 */
function clockEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => /^(FAKETIME|LD_PRELOAD$|DONT_FAKE_MONOTONIC$)/.test(e[0]) && e[1] !== undefined));
}

export function startCli(bin: string, args: readonly string[], env: Record<string, string>, cwd?: string): CliRun {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...clockEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  runningCli.add(child);
  child.once('exit', () => runningCli.delete(child));
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves with the port once the platform logs that it listens; rejects if it exits first. */
export async function listening(run: CliRun): Promise<number> {
  for (;;) {
    const m = /Fluxgate listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(run.stdout());
    if (m) return Number(m[1]);
    const code = await Promise.race([run.exited, new Promise<'wait'>((r) => setTimeout(() => r('wait'), 50))]);
    if (code !== 'wait') throw new Error(`fluxgate exited with ${code}: ${run.stderr()}${run.stdout()}`);
  }
}

export async function stopCli(run: CliRun): Promise<number | null> {
  run.child.kill('SIGTERM');
  return run.exited;
}

// The machine a figure was measured on, printed with every bench.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export function hardwareLine(): string {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown CPU';
  let mem = `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`;
  try {
    mem = execSync('free -h', { encoding: 'utf8' }).split('\n')[1]?.split(/\s+/)[1] ?? mem;
  } catch {
    // free(1) missing: keep the os figure
  }
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  return `${cpu}, nproc ${os.availableParallelism()}, RAM ${mem}, Node ${process.version}, load avg ${load}`;
}

// One Fluxgate node of the cluster: `bin/fluxgate.js start` as a child process in external broker
// mode, with its own port and DATA_DIR (which keeps its MQTT client id, so a restarted node takes
// back its persistent session and what the broker queued for it). It can be killed (SIGKILL, as a
// crash) and started again on the same port.
import { type ChildProcess, spawn } from 'node:child_process';
import { type WriteStream, createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { cpuSeconds, stopChild, waitUntil } from './processes.ts';
import { REPO_ROOT } from './template.ts';

export class FluxgateNode {
  private child: ChildProcess | undefined;
  private readonly log: WriteStream;
  readonly url: string;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    readonly dataDir: string,
  ) {
    mkdirSync(dataDir, { recursive: true });
    this.url = `http://127.0.0.1:${port}`;
    this.log = createWriteStream(path.join(dataDir, 'node.log'), { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** CPU seconds this node's current process has used so far. */
  cpuSeconds(): number | undefined {
    return cpuSeconds(this.pid);
  }

  /** Starts the process; resolves once GET /health answers 200 (storage and broker ready). */
  async start(timeoutMs = 120_000): Promise<void> {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/fluxgate.js'), 'start'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.env, PORT: String(this.port), DATA_DIR: this.dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    try {
      await waitUntil(child, `node ${this.name}`, () => this.healthy(), timeoutMs);
    } catch (err) {
      throw new Error(`${(err as Error).message} (log: ${path.join(this.dataDir, 'node.log')})`);
    }
  }

  private async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return res.status === 200;
    } catch {
      return false;
    }
  }

  /** SIGKILL: a crash; nothing is flushed, no session is closed. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    await stopChild(child, 'SIGKILL');
  }

  /** SIGTERM: the graceful stop. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    await stopChild(child, 'SIGTERM');
  }

  close(): void {
    this.log.end();
  }
}

// The platform as a real child process (bin/fluxgate.js start), so a test can SIGKILL it the way
// a power cut or the OOM killer would, and start it again on the same DATA_DIR / schema and ports.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/fluxgate.js', import.meta.url));

export class PlatformProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly log: WriteStream;
  readonly baseUrl: string;

  constructor(
    private readonly env: Record<string, string>,
    logFile: string,
  ) {
    this.baseUrl = `http://127.0.0.1:${env.PORT}`;
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts the process and resolves once /health answers 200. */
  async start(timeoutMs = 180_000): Promise<void> {
    const child = spawn(process.execPath, [BIN, 'start'], {
      cwd: path.dirname(path.dirname(BIN)),
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    let exitCode: number | null | undefined;
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        exitCode = code;
        resolve();
      }),
    );
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exitCode !== undefined) throw new Error(`fluxgate exited with code ${exitCode} while starting (log: ${this.log.path})`);
      try {
        const res = await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`fluxgate did not become healthy within ${timeoutMs} ms (log: ${this.log.path})`);
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed that was not already on disk. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: the graceful stop. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    child.kill('SIGTERM');
    await this.exited;
  }

  close(): void {
    this.log.end();
  }
}

// The main thread's side of the SQLite writer thread (sqlite-writer-thread.ts): sends a group of
// points, resolves once the thread has committed them. A thread that dies fails what it had and is
// started again on the next write.
import { Worker } from 'node:worker_threads';
import type { Point } from '../../domain/telemetry.ts';
import type { CompactionStep, WriteResult } from '../storage.ts';
import { toColumns } from './point-columns.ts';
import type { WriterReply, WriterRequest } from './sqlite-writer-thread.ts';

interface Waiter {
  resolve: (reply: WriterReply) => void;
  reject: (err: Error) => void;
}

export class SqliteWriter {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();

  constructor(private readonly file: string) {}

  async write(points: readonly Point[]): Promise<WriteResult> {
    const columns = toColumns(points);
    // The typed arrays move to the thread rather than being copied; nothing here reads them again.
    const moved = [columns.ts, columns.num, columns.kind, columns.device, columns.field, columns.meta].map((a) => a.buffer as ArrayBuffer);
    const reply = await this.send({ id: this.nextId++, points: columns }, moved);
    return 'inserted' in reply ? { inserted: reply.inserted, duplicates: reply.duplicates } : { inserted: 0, duplicates: 0 };
  }

  /** One compaction step on the thread's connection, queued behind the writes sent before it. */
  async compactStep(now: number, budgetMs: number): Promise<CompactionStep> {
    const reply = await this.send({ id: this.nextId++, compact: { now, budgetMs } });
    return 'step' in reply ? reply.step : { movedPoints: 0, mergedWindows: 0, more: false };
  }

  /** Starts the thread now rather than on the first write (its start-up takes a moment). */
  start(): void {
    this.worker ??= this.spawn();
  }

  /** Lets the thread finish what it has, closes its connection and ends it. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    if (this.waiting.size === 0) {
      // Idle (between transactions, or still starting): nothing to wait for. Ending it at once spares
      // a short CLI command the thread's start-up; committed data is in the WAL whatever happens.
      this.worker = undefined;
      await worker.terminate();
      return;
    }
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    await this.send({ id: this.nextId++, close: true }).catch(() => {});
    worker.ref(); // until it has exited: the caller awaits that
    await exited;
  }

  private send(request: WriterRequest, transfer: ArrayBuffer[] = []): Promise<WriterReply> {
    const worker = (this.worker ??= this.spawn());
    return new Promise<WriterReply>((resolve, reject) => {
      if (this.waiting.size === 0) worker.ref();
      this.waiting.set(request.id, { resolve, reject });
      worker.postMessage(request, transfer);
    });
  }

  private spawn(): Worker {
    // The thread's file has this module's own extension: .js when running the build in dist/, .ts
    // from source. A TypeScript thread registers tsx itself (a worker inherits neither hooks
    // registered through tsx's API nor, on Node 20, an --import in execArgv) before loading it.
    const compiled = import.meta.url.endsWith('.js');
    const entry = new URL(`./sqlite-writer-thread.${compiled ? 'js' : 'ts'}`, import.meta.url);
    const workerData = { file: this.file };
    const worker = compiled
      ? new Worker(entry, { workerData })
      : new Worker(
          `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`,
          { eval: true, workerData },
        );
    worker.unref();
    worker.on('message', (reply: WriterReply) => {
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) worker.unref();
      if ('error' in reply) waiter.reject(new Error(reply.error));
      else waiter.resolve(reply);
    });
    const fail = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const waiter of this.waiting.values()) waiter.reject(err);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the SQLite writer thread stopped (exit code ${code})`)));
    return worker;
  }
}

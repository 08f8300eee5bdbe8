// A live-stream WebSocket (GET /api/v1/stream) whose incoming messages are queued so a test can
// await them in order; waiting on a socket that closed fails instead of hanging.
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import type { StreamServerMessage } from '../../src/contract/stream.ts';

export class TestSocket {
  readonly ws: WebSocket;
  private readonly queue: StreamServerMessage[] = [];
  private waiter: { resolve: (m: StreamServerMessage) => void; reject: (e: Error) => void } | undefined;
  private ended = false;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as StreamServerMessage;
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w.resolve(msg);
      } else this.queue.push(msg);
    });
    this.closed = new Promise((resolve) =>
      this.ws.on('close', (code, reason) => {
        this.ended = true;
        this.waiter?.reject(new Error(`stream closed (${code}) while a message was awaited`));
        this.waiter = undefined;
        resolve({ code, reason: reason.toString() });
      }),
    );
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  next(): Promise<StreamServerMessage> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    if (this.ended) return Promise.reject(new Error('stream closed; no message left'));
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Ping and return every message received before the pong (the server answers in order). */
  async drain(): Promise<StreamServerMessage[]> {
    this.send({ type: 'ping' });
    const seen: StreamServerMessage[] = [];
    for (;;) {
      const m = await this.next();
      if (m.type === 'pong') return seen;
      seen.push(m);
    }
  }

  close(): void {
    this.ws.close();
  }
}

/** A stream of `baseUrl` signed in with `token`, following `deviceIds` (all granted). */
export async function followingStream(baseUrl: string, token: string, deviceIds: string[]): Promise<TestSocket> {
  const s = new TestSocket(`${baseUrl.replace('http', 'ws')}/api/v1/stream?token=${token}`);
  await s.opened();
  assert.equal((await s.next()).type, 'ready');
  s.send({ type: 'subscribe', device_ids: deviceIds });
  assert.deepEqual(await s.next(), { type: 'subscribed', device_ids: deviceIds, denied: [] });
  return s;
}

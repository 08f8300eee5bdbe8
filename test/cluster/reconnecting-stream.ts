// A dashboard-like live stream through the load balancer: a WebSocket on /api/v1/stream that, like
// the dashboard, opens again (and subscribes again) whenever its connection ends, e.g. because the
// node behind it was killed. It records the highest point value it received per device.
import WebSocket from 'ws';
import type { StreamServerMessage } from '../../src/contract/stream.ts';

export class ReconnectingStream {
  private ws: WebSocket | undefined;
  private closed = false;
  /** Connections opened and subscribed; more than one means it reconnected. */
  connections = 0;
  private readonly top = new Map<string, number>();

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly deviceIds: string[],
  ) {}

  /** Resolves once the first connection is subscribed. */
  start(): Promise<void> {
    return new Promise((resolve) => this.open(resolve));
  }

  private open(onSubscribed?: () => void): void {
    if (this.closed) return;
    const ws = new WebSocket(`${this.url}?token=${this.token}`);
    this.ws = ws;
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as StreamServerMessage;
      if (m.type === 'ready') ws.send(JSON.stringify({ type: 'subscribe', device_ids: this.deviceIds }));
      else if (m.type === 'subscribed') {
        this.connections++;
        onSubscribed?.();
      } else if (m.type === 'points') {
        for (const p of m.points) if (Number(p.value) > this.highest(m.device_id)) this.top.set(m.device_id, Number(p.value));
      }
    });
    ws.on('error', () => {});
    ws.on('close', () => setTimeout(() => this.open(onSubscribed), 100));
  }

  /** The highest value received for a device (-1: none). */
  highest(deviceId: string): number {
    return this.top.get(deviceId) ?? -1;
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
  }
}

// A real HTTP receiver for alarm webhooks: records when each delivery arrived and what it said.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  at: number;
  event: string;
  deviceId: string;
}

export interface WebhookReceiver {
  url: string;
  /** Resolves with the next delivery matching `event` and `deviceId` (or rejects after `timeoutMs`). */
  next(event: string, deviceId: string, timeoutMs: number): Promise<Delivery>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const waiting: Array<{ event: string; deviceId: string; resolve: (d: Delivery) => void }> = [];
  const early: Delivery[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      res.writeHead(204).end();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { event: string; alarm: { device_id: string } };
      const delivery = { at, event: body.event, deviceId: body.alarm.device_id };
      const i = waiting.findIndex((w) => w.event === delivery.event && w.deviceId === delivery.deviceId);
      if (i >= 0) waiting.splice(i, 1)[0]!.resolve(delivery);
      else early.push(delivery);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alarms`,
    next(event, deviceId, timeoutMs) {
      const i = early.findIndex((d) => d.event === event && d.deviceId === deviceId);
      if (i >= 0) return Promise.resolve(early.splice(i, 1)[0]!);
      return new Promise((resolve, reject) => {
        const entry = {
          event,
          deviceId,
          resolve: (d: Delivery) => {
            clearTimeout(timer);
            resolve(d);
          },
        };
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(entry), 1);
          reject(new Error(`no "${event}" webhook for ${deviceId} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.push(entry);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

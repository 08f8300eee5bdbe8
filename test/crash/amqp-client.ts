// The crash test's RabbitMQ producer: publishes batches of points for one device to the queue the
// platform consumes, each message confirmed by RabbitMQ. The platform is killed and restarted while it
// consumes; every confirmed message must end up stored exactly once (a message the platform stored
// but could not ack before the kill is delivered again and must not be stored twice). At the end the
// queue is drained and the confirmed points count as acknowledged; anything dead-lettered is an error.
import amqplib, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { DeviceCredentials, Ledger, LoadClient } from './load-clients.ts';
import { pointTs } from './load-clients.ts';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Published but not yet consumed at most: the producer waits above it, so the final drain stays short. */
const MAX_BACKLOG = 2_000;

export async function amqpClient(
  url: string,
  queue: string,
  device: DeviceCredentials,
  base: number,
  batch: number,
  ledger: Ledger,
  storedCount: () => Promise<number | undefined>,
): Promise<LoadClient> {
  const conn: ChannelModel = await amqplib.connect(url);
  const ch: ConfirmChannel = await conn.createConfirmChannel();
  await ch.assertQueue(queue, { durable: true });
  await ch.assertQueue(`${queue}.dead`, { durable: true });
  let quiet = false;
  let closed = false;
  const errors: string[] = [];
  const confirmed: number[] = [];
  let next = 0;
  const loop = (async () => {
    while (!quiet && !closed) {
      if ((await ch.checkQueue(queue)).messageCount > MAX_BACKLOG) {
        await pause(50);
        continue;
      }
      for (let i = 0; i < 20; i++) {
        const from = next;
        next += batch;
        ledger.sent.set(device.id, next);
        const body = Array.from({ length: batch }, (_, k) => ({ timestamp: pointTs(base, from + k), v: from + k }));
        ch.sendToQueue(queue, Buffer.from(JSON.stringify(body)), { persistent: true, headers: { 'x-api-key': device.apiKey, device_id: device.id } }, (err: unknown) => {
          if (err) errors.push(`AMQP publish not confirmed: ${String(err)}`);
          else confirmed.push(from);
        });
      }
      await ch.waitForConfirms();
      await pause(10);
    }
  })();
  return {
    get pending() {
      return 0;
    },
    errors,
    quiesce() {
      quiet = true;
    },
    async drained() {
      await loop;
      // Drained: the queue is empty and the platform's stored count has stopped moving.
      let stable = 0;
      let last = -1;
      for (const end = Date.now() + 120_000; Date.now() < end && stable < 10; ) {
        const { messageCount } = await ch.checkQueue(queue);
        const stored = (await storedCount()) ?? -1;
        stable = messageCount === 0 && stored === last ? stable + 1 : 0;
        last = stored;
        await pause(100);
      }
      if (stable < 10) errors.push('AMQP: the queue was not drained within 120 s');
      const dead = (await ch.checkQueue(`${queue}.dead`)).messageCount;
      if (dead > 0) errors.push(`AMQP: ${dead} messages were dead-lettered`);
      let acked = ledger.acked.get(device.id);
      if (!acked) ledger.acked.set(device.id, (acked = new Set()));
      for (const from of confirmed) for (let s = from; s < from + batch; s++) acked.add(s);
    },
    async close() {
      closed = true;
      await loop.catch(() => {});
      await ch.deleteQueue(queue).catch(() => {});
      await ch.deleteQueue(`${queue}.dead`).catch(() => {});
      await conn.close().catch(() => {});
    },
  };
}

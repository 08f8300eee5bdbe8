// RabbitMQ in and out (AMQP_URL): the ingest queue consumer and the events publisher on one
// connection that reconnects by itself (amqplib's recovery) and sets its queues, exchange and
// consumer up again after every reconnect.
import amqplib, { type ChannelModel, type RecoveringChannelModel } from 'amqplib';
import type { EventBus } from '../../services/event-bus.ts';
import { type AmqpEventCounters, AmqpEventPublisher, subscribeEvents } from './amqp-events.ts';
import { AmqpIngest, type AmqpIngestCounters, type AmqpIngestDeps } from './amqp-ingest.ts';

export interface AmqpOptions {
  url: string;
  /** The queue consumed (declared durable when it does not exist). */
  queue: string;
  deadLetterQueue: string;
  /** Unacked messages per consumer channel. */
  prefetch: number;
  /** Consumer channels on the queue (the window in flight is consumers × prefetch). */
  consumers: number;
  /** Topic exchange events go to; empty: no events. */
  eventsExchange: string;
  trusted: boolean;
}

export interface AmqpLog {
  info(message: string, details?: object): void;
  warn(message: string, details?: object): void;
}

export interface AmqpConnector {
  counters(): AmqpIngestCounters & { events: AmqpEventCounters; connected: boolean };
  /** Resolves once the consumer runs (the first connection and set-up are done). */
  ready(): Promise<void>;
  /** Stops consuming, waits for the messages in hand to be stored and acked, flushes events, closes. */
  stop(): Promise<void>;
}

export async function startAmqpConnector(o: AmqpOptions, deps: Omit<AmqpIngestDeps, 'trusted'> & { bus: EventBus; log: AmqpLog }): Promise<AmqpConnector> {
  const ingest = new AmqpIngest({ ...deps, trusted: o.trusted }, o.queue, o.deadLetterQueue);
  const events = o.eventsExchange ? new AmqpEventPublisher(o.eventsExchange) : undefined;
  const unsubscribe = events ? subscribeEvents(deps.bus, (e) => events.publish(e)) : () => {};
  let consumer: { cancel(): Promise<unknown> } | undefined;
  let connected = false;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const model: RecoveringChannelModel = await amqplib.connect(o.url, {
    recovery: {
      initialDelay: 200,
      maxDelay: 5_000,
      waitForConnect: false,
      async setup(m: ChannelModel) {
        const confirms = await m.createConfirmChannel();
        await confirms.assertQueue(o.queue, { durable: true });
        await confirms.assertQueue(o.deadLetterQueue, { durable: true });
        if (events) {
          await confirms.assertExchange(o.eventsExchange, 'topic', { durable: true });
          events.attach(confirms);
        }
        // Several channels, so that while one group commit runs, the next one gathers more than one
        // channel's prefetch: the commit's fsync is shared by more messages.
        const consumers = await Promise.all(
          Array.from({ length: o.consumers }, async () => {
            const channel = await m.createChannel();
            const tag = await ingest.start(channel, confirms, o.prefetch);
            return () => channel.cancel(tag);
          }),
        );
        consumer = { cancel: () => Promise.all(consumers.map((cancel) => cancel())) };
        connected = true;
        deps.log.info(`AMQP: consuming ${o.queue} (${o.consumers} channels, prefetch ${o.prefetch} each)${events ? `, events to exchange ${o.eventsExchange}` : ''}`);
        markReady();
      },
    },
  });
  model.on('disconnect', (err: Error) => {
    connected = false;
    deps.log.warn('AMQP: connection lost; reconnecting', { err: err.message });
  });
  model.on('connect-failed', (err: Error) => deps.log.warn('AMQP: cannot connect; retrying', { err: err.message }));
  model.on('error', (err: Error) => deps.log.warn('AMQP: error', { err: err.message }));

  return {
    counters: () => ({ ...ingest.counters, events: events?.counters ?? { published: 0, dropped: 0 }, connected }),
    ready: () => ready,
    async stop() {
      unsubscribe();
      await consumer?.cancel().catch(() => {});
      await ingest.drained();
      await events?.flush();
      await model.close().catch(() => {});
    },
  };
}

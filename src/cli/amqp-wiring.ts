// RabbitMQ (AMQP_URL): the connector on the platform's pipeline, keys and bus.
import type { Logger } from 'pino';
import { type AmqpConnector, startAmqpConnector } from '../connectors/amqp/amqp-connector.ts';
import type { Config } from '../config.ts';
import type { IngestPipeline } from '../ingest/ingest-pipeline.ts';
import type { ApiKeyVerifier } from '../services/api-keys.ts';
import type { EventBus } from '../services/event-bus.ts';
import type { Storage } from '../storage/storage.ts';

export function startAmqp(config: Config & { AMQP_URL: string }, deps: { pipeline: IngestPipeline; keys: ApiKeyVerifier; storage: Storage; bus: EventBus; logger: Logger }): Promise<AmqpConnector> {
  const { logger } = deps;
  return startAmqpConnector(
    {
      url: config.AMQP_URL,
      queue: config.AMQP_QUEUE,
      deadLetterQueue: config.AMQP_DEAD_LETTER_QUEUE,
      prefetch: config.AMQP_PREFETCH,
      consumers: config.AMQP_CONSUMERS,
      // An empty environment variable means "the default", so `none` is how the environment turns events off.
      eventsExchange: config.AMQP_EVENTS_EXCHANGE === 'none' ? '' : config.AMQP_EVENTS_EXCHANGE,
      trusted: config.AMQP_TRUSTED_PRODUCER,
    },
    {
      pipeline: deps.pipeline,
      deviceForKey: (key) => deps.keys.deviceFor(key),
      cachedDeviceForKey: (key) => deps.keys.cachedDeviceFor(key),
      deviceExists: async (id) => (await deps.storage.getDevice(id)) !== undefined,
      bus: deps.bus,
      onDeadLetter: (reason) => logger.warn(reason, 'AMQP: message moved to the dead-letter queue'),
      onError: (err) => logger.warn({ err }, 'AMQP: message not stored yet; it goes back to the queue'),
      log: { info: (m, d) => logger.info(d ?? {}, m), warn: (m, d) => logger.warn(d ?? {}, m) },
    },
  );
}

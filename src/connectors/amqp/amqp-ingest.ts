// Consumes the ingest queue. A message is acked to RabbitMQ only after its points are committed.
// A message that can never be stored (bad JSON, unknown device or key, invalid telemetry) is copied
// to the dead-letter queue with the reason in its headers, confirmed there, and only then acked, so
// it is never lost and never blocks the queue. A message refused for a passing reason (storage
// down, pipeline full) is put back after a pause. Prefetch bounds what is in flight: back-pressure.
import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { FluxgateError } from '../../contract/errors.ts';
import { InvalidInputError } from '../../domain/errors.ts';
import type { IngestPipeline } from '../../ingest/ingest-pipeline.ts';
import { AckCoalescer } from './ack-coalescer.ts';
import { type AmqpTelemetry, parseAmqpTelemetry } from './amqp-message.ts';

export interface AmqpIngestDeps {
  pipeline: Pick<IngestPipeline, 'ingestThen'>;
  /** The device a key belongs to, or undefined (ApiKeyVerifier.deviceFor). */
  deviceForKey(key: string): Promise<string | undefined>;
  /** The same, answered only from the verifier's cache: no promise per message on the hot path. */
  cachedDeviceForKey?(key: string): string | undefined;
  deviceExists(deviceId: string): Promise<boolean>;
  /** Accept messages without a key: the producer is trusted to name the right device. */
  trusted: boolean;
  onDeadLetter?(reason: { code: string; message: string }): void;
  onError?(err: unknown): void;
}

export interface AmqpIngestCounters {
  stored: number;
  points: number;
  deadLettered: number;
  requeued: number;
}

/** How long a message refused for a passing reason waits before it goes back to the queue. */
const RETRY_AFTER_MS = 1_000;

export class AmqpIngest {
  readonly counters: AmqpIngestCounters = { stored: 0, points: 0, deadLettered: 0, requeued: 0 };
  private inFlight = 0;
  private idle: Array<() => void> = [];

  constructor(
    private readonly deps: AmqpIngestDeps,
    private readonly queue: string,
    private readonly deadLetterQueue: string,
  ) {}

  /** Starts consuming on `channel`; dead letters go out on `confirms`. Returns the consumer tag. */
  async start(channel: Channel, confirms: ConfirmChannel, prefetch: number): Promise<string> {
    await channel.prefetch(prefetch);
    const acks = new AckCoalescer(channel);
    const { consumerTag } = await channel.consume(this.queue, (msg) => {
      if (msg) this.handle(channel, acks, confirms, msg);
    });
    return consumerTag;
  }

  /** Resolves when no message is being handled (after the consumer is cancelled). */
  drained(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }

  // Callbacks rather than a chain of promises: thousands of messages a second each cost one closure.
  private handle(channel: Channel, acks: AckCoalescer, confirms: ConfirmChannel, msg: ConsumeMessage): void {
    this.inFlight++;
    const fail = (err: unknown) => void this.refuse(channel, acks, confirms, msg, err).finally(() => this.handled());
    let t: AmqpTelemetry;
    try {
      t = parseAmqpTelemetry(msg.content, msg.properties.headers);
    } catch (err) {
      return fail(err);
    }
    const store = () =>
      this.deps.pipeline.ingestThen(t.deviceId, t.payload, (err, points) => {
        if (err !== undefined) return fail(err);
        acks.ack(msg);
        this.counters.stored++;
        this.counters.points += points;
        this.handled();
      });
    if (t.apiKey !== undefined && this.deps.cachedDeviceForKey?.(t.apiKey) === t.deviceId) return store();
    this.authorise(t).then(store, fail);
  }

  private handled(): void {
    if (--this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  private async authorise({ deviceId, apiKey }: AmqpTelemetry): Promise<void> {
    if (apiKey !== undefined) {
      if ((await this.deps.deviceForKey(apiKey)) !== deviceId) throw new FluxgateError('INVALID_API_KEY', `the x-api-key header is not the key of device ${deviceId}`);
    } else if (!this.deps.trusted) {
      throw new FluxgateError('INVALID_API_KEY', 'no x-api-key header (set AMQP_TRUSTED_PRODUCER=true to accept messages without keys)');
    } else if (!(await this.deps.deviceExists(deviceId))) {
      throw new FluxgateError('DEVICE_NOT_FOUND', `device ${deviceId} does not exist`);
    }
  }

  private async refuse(channel: Channel, acks: AckCoalescer, confirms: ConfirmChannel, msg: ConsumeMessage, err: unknown): Promise<void> {
    const permanent = err instanceof InvalidInputError || (err instanceof FluxgateError && err.status < 500);
    if (!permanent) {
      this.deps.onError?.(err);
      this.counters.requeued++;
      await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS));
      safely(() => channel.nack(msg, false, true));
      acks.settledElsewhere(msg);
      return;
    }
    const code = err instanceof FluxgateError ? err.code : 'INVALID_TELEMETRY';
    const reason = { code, message: (err as Error).message.slice(0, 1000) };
    try {
      await new Promise<void>((resolve, reject) =>
        confirms.sendToQueue(
          this.deadLetterQueue,
          msg.content,
          {
            persistent: true,
            contentType: msg.properties.contentType,
            headers: { ...msg.properties.headers, 'x-fluxgate-error': reason.code, 'x-fluxgate-reason': reason.message, 'x-fluxgate-queue': this.queue },
          },
          (confirmErr: unknown) => (confirmErr ? reject(confirmErr as Error) : resolve()),
        ),
      );
      acks.ack(msg);
      this.counters.deadLettered++;
      this.deps.onDeadLetter?.(reason);
    } catch (dlqErr) {
      // Not confirmed in the dead-letter queue: keep the message where it is.
      this.deps.onError?.(dlqErr);
      safely(() => channel.nack(msg, false, true));
      acks.settledElsewhere(msg);
    }
  }
}

/** A channel that closed meanwhile cannot ack or nack; RabbitMQ redelivers what was unacked. */
function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // the channel is gone: its unacked messages return to the queue
  }
}

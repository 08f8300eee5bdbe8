import type { Logger } from 'pino';
import type { IngestPipeline } from '../../ingest/ingest-pipeline.ts';
import type { EventBus } from '../../services/event-bus.ts';
import type { Connectivity } from '../../services/connectivity.ts';
import type { Metrics } from '../../services/metrics.ts';
import type { MqttPolicy } from '../../services/mqtt-policy.ts';

export interface MqttOptions {
  /** Largest accepted PUBLISH payload in bytes. */
  maxPayloadBytes: number;
  /** Time a new connection has to send CONNECT. */
  connectTimeoutMs: number;
}

/** Hands device messages on other topics (command acks, logs) to their use-cases. */
export type DeviceMessageHandler = (deviceId: string, payload: Buffer) => Promise<void>;

/** Everything the MQTT transport needs, wired by the cli. */
export interface MqttDeps {
  options: MqttOptions;
  logger: Logger;
  policy: MqttPolicy;
  pipeline: IngestPipeline;
  connectivity: Connectivity;
  bus: EventBus;
  metrics: Metrics;
  /** Called for `devices/{id}/commands/ack`; absent until commands are wired. */
  onCommandAck?: DeviceMessageHandler;
  /** Called when a device (re)connects, e.g. to re-send its desired state. */
  onDeviceConnected?: (deviceId: string) => void;
}

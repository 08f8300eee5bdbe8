import type { Logger } from 'pino';
import type { IngestPipeline } from '../../ingest/ingest-pipeline.ts';
import type { EventBus } from '../../services/event-bus.ts';
import type { CommandService } from '../../services/command-service.ts';
import type { Connectivity } from '../../services/connectivity.ts';
import type { DeviceLogService } from '../../services/device-log-service.ts';
import type { Metrics } from '../../services/metrics.ts';
import type { MqttPolicy } from '../../services/mqtt-policy.ts';
import type { RateLimits } from '../../services/rate-limits.ts';

export interface MqttOptions {
  /** Largest accepted PUBLISH payload in bytes. */
  maxPayloadBytes: number;
  /** Time a new connection has to send CONNECT. */
  connectTimeoutMs: number;
  /** Embedded broker only: clients connected at once, topic filters per connection, PUBLISH rate per device. */
  maxConnections?: number;
  maxSubscriptions?: number;
  deviceRate?: { points: number; windowSeconds: number };
  /** Embedded broker, MQTT 5 CONNACK: Receive Maximum, Topic Alias Maximum, the longest keep alive granted. */
  receiveMaximum?: number;
  topicAliasMaximum?: number;
  maxKeepaliveSeconds?: number;
}

/** Everything the MQTT transport needs, wired by the cli. */
export interface MqttDeps {
  options: MqttOptions;
  logger: Logger;
  policy: MqttPolicy;
  pipeline: IngestPipeline;
  connectivity: Connectivity;
  bus: EventBus;
  metrics: Metrics;
  commands: CommandService;
  /** Brute force: CONNECTs with bad credentials count against the `api_key` limit of their IP. */
  limits?: Pick<RateLimits, 'check' | 'consume'>;
  /** Device system logs from `devices/{id}/logs` (same payloads as POST /devices/{id}/logs). */
  logs?: Pick<DeviceLogService, 'append'>;
}

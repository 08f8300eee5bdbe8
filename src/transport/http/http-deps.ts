import type { FastifyBaseLogger } from 'fastify';
import type { IngestPipeline } from '../../ingest/ingest-pipeline.ts';
import type { DeviceAccess } from '../../services/access.ts';
import type { ApiKeyVerifier } from '../../services/api-keys.ts';
import type { AuthService } from '../../services/auth-service.ts';
import type { ChartService } from '../../services/chart-service.ts';
import type { ChartSeriesService } from '../../services/chart-series.ts';
import type { DeviceService } from '../../services/device-service.ts';
import type { EnergyService } from '../../services/energy-service.ts';
import type { EventBus } from '../../services/event-bus.ts';
import type { HealthService } from '../../services/health-service.ts';
import type { Metrics } from '../../services/metrics.ts';
import type { QueryService } from '../../services/query-service.ts';

export interface HttpOptions {
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  queryMaxLimit: number;
  offlineAfterMs: number;
  allowRegistration: boolean;
  corsOrigins: string[];
  /** The built dashboard (web/dist); absent: / explains how to build it. */
  dashboardDir?: string;
}

/** Everything the HTTP transport needs, wired by the cli. */
export interface HttpDeps {
  options: HttpOptions;
  logger: FastifyBaseLogger;
  auth: AuthService;
  devices: DeviceService;
  access: DeviceAccess;
  keys: ApiKeyVerifier;
  pipeline: IngestPipeline;
  queries: QueryService;
  energy: EnergyService;
  health: HealthService;
  metrics: Metrics;
  /** Live events for the WebSocket stream. */
  bus: EventBus;
  charts: ChartService;
  series: ChartSeriesService;
}

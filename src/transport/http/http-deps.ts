import type { FastifyBaseLogger } from 'fastify';
import type { HaDiscoveryMode } from '../../contract/home-assistant/ha-discovery-mode.ts';
import type { IngestPipeline } from '../../ingest/ingest-pipeline.ts';
import type { DeviceAccess } from '../../services/access.ts';
import type { AdminService } from '../../services/admin-service.ts';
import type { ApiKeyVerifier } from '../../services/api-keys.ts';
import type { AuthService } from '../../services/auth-service.ts';
import type { DeviceFileService } from '../../services/device-file-service.ts';
import type { DeviceLogService } from '../../services/device-log-service.ts';
import type { CommandService } from '../../services/command-service.ts';
import type { ChartService } from '../../services/chart-service.ts';
import type { DashboardService } from '../../services/dashboard-service.ts';
import type { ProfileService } from '../../services/profile-service.ts';
import type { ChartSeriesService } from '../../services/chart-series.ts';
import type { DeviceService } from '../../services/device-service.ts';
import type { DeviceLatest } from '../../services/device-latest.ts';
import type { DeviceSummaryService } from '../../services/device-summary.ts';
import type { EnergyService } from '../../services/energy-service.ts';
import type { EventBus } from '../../services/event-bus.ts';
import type { HealthService } from '../../services/health-service.ts';
import type { Metrics } from '../../services/metrics.ts';
import type { MqttPolicy } from '../../services/mqtt-policy.ts';
import type { QueryService } from '../../services/query-service.ts';
import type { RateLimits } from '../../services/rate-limits.ts';
import type { SharingService } from '../../services/sharing.ts';
import type { UserService } from '../../services/user-service.ts';
import type { AlarmService } from '../../rules/alarm-service.ts';
import type { NotificationService } from '../../rules/notification-service.ts';
import type { RuleService } from '../../rules/rule-service.ts';
import type { CompatDeps } from './compat/compat-deps.ts';

export interface HttpOptions {
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  queryMaxLimit: number;
  offlineAfterMs: number;
  allowRegistration: boolean;
  corsOrigins: string[];
  trustProxy?: boolean;
  /** Bearer token that reads /metrics besides an admin's access token (METRICS_TOKEN). */
  metricsToken?: string | undefined;
  /** POST /api/v2/write and /write take InfluxDB line protocol (LINE_PROTOCOL_ENABLED). */
  lineProtocol?: boolean;
  /** The built dashboard (web/dist); absent: / explains how to build it. */
  dashboardDir?: string;
}

/** Everything the HTTP transport needs, wired by the cli. */
export interface HttpDeps {
  options: HttpOptions;
  logger: FastifyBaseLogger;
  auth: AuthService;
  devices: DeviceService;
  /** Latest values shown beside each device of a list. */
  latest: DeviceLatest;
  /** The fleet overview (GET /api/v1/devices/summary). */
  summary: DeviceSummaryService;
  commands: CommandService;
  access: DeviceAccess;
  keys: ApiKeyVerifier;
  pipeline: IngestPipeline;
  queries: QueryService;
  energy: EnergyService;
  health: HealthService;
  metrics: Metrics;
  files: DeviceFileService;
  logs: DeviceLogService;
  users: UserService;
  sharing: SharingService;
  admin: AdminService;
  limits: RateLimits;
  /** External broker mode with MQTT_HOOK_SECRET: the HTTP auth/ACL hooks are on, answered by `policy`. */
  mqttHooks?: { policy: MqttPolicy; secret: string };
  /** Live events for the WebSocket stream. */
  bus: EventBus;
  charts: ChartService;
  dashboards: DashboardService;
  profiles: ProfileService;
  series: ChartSeriesService;
  rules: RuleService;
  alarms: AlarmService;
  notifications: NotificationService;
  /** The replaced systems' APIs at their own paths (COMPAT_APIS); absent: none. */
  compat?: CompatDeps;
  /** HA_DISCOVERY and HA_DISCOVERY_PREFIX, for the device page. */
  homeAssistant: { mode: HaDiscoveryMode; prefix: string };
}

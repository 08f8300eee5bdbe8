// The one place that wires Fluxgate together: storage, services, ingest pipeline, transports.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { Redis } from 'ioredis';
import { type Config, parseRateLimit } from '../config.ts';
import { DEFAULT_LIMITS } from '../domain/telemetry.ts';
import { IngestPipeline } from '../ingest/ingest-pipeline.ts';
import type { AmqpConnector } from '../connectors/amqp/amqp-connector.ts';
import { startAmqp } from './amqp-wiring.ts';
import { wireHomeAssistant } from './ha-wiring.ts';
import type { HaPublisher } from '../connectors/home-assistant/ha-publisher.ts';
import { DeviceAccess } from '../services/access.ts';
import { AdminService } from '../services/admin-service.ts';
import { IngestRate } from '../services/ingest-rate.ts';
import { DeviceLatest } from '../services/device-latest.ts';
import { DeviceSummaryService } from '../services/device-summary.ts';
import { AuditLog } from '../services/audit.ts';
import { ApiKeyVerifier } from '../services/api-keys.ts';
import { AuthService } from '../services/auth-service.ts';
import { DeviceFileService } from '../services/device-file-service.ts';
import { DeviceLogService } from '../services/device-log-service.ts';
import { CommandResend } from '../services/command-resend.ts';
import { CommandService } from '../services/command-service.ts';
import { ChartService } from '../services/chart-service.ts';
import { DashboardService } from '../services/dashboard-service.ts';
import { ProfileService } from '../services/profile-service.ts';
import { ChartSeriesService } from '../services/chart-series.ts';
import { DeviceService } from '../services/device-service.ts';
import { EnergyService } from '../services/energy-service.ts';
import { EventBus } from '../services/event-bus.ts';
import { HealthService } from '../services/health-service.ts';
import { Leadership, SINGLE_NODE_LOCK } from '../services/leadership.ts';
import { LogRetention } from '../services/log-retention.ts';
import { TelemetryRetention } from '../services/telemetry-retention.ts';
import { Metrics } from '../services/metrics.ts';
import { Presence } from '../services/presence.ts';
import { QueryService } from '../services/query-service.ts';
import { RateLimits } from '../services/rate-limits.ts';
import { SharingService } from '../services/sharing.ts';
import { UserService } from '../services/user-service.ts';
import { TokenService } from '../services/tokens.ts';
import type { BlobStore } from '../storage/blob/blob-store.ts';
import { openBlobStore } from '../storage/blob/open-blob-store.ts';
import { openStorage } from '../storage/open-storage.ts';
import { PostgresJobLock } from '../storage/postgres/postgres-job-lock.ts';
import type { Storage } from '../storage/storage.ts';
import { buildHttpServer } from '../transport/http/http-server.ts';
import { listenOrExplain } from './listen.ts';
import { mqttStatus } from './mqtt-status.ts';
import { type CompatSystem, parseCompatSystems } from '../contract/compat-systems.ts';
import { DeviceStatusCache } from '../services/device-status-cache.ts';
import { type RunningMqtt, startMqtt } from './mqtt-wiring.ts';
import { MqttTopics } from '../contract/mqtt-topics.ts';
import { Connectivity } from '../services/connectivity.ts';
import { MqttPolicy } from '../services/mqtt-policy.ts';
import type { MqttDeps } from '../transport/mqtt/mqtt-deps.ts';
import { AlarmService } from '../rules/alarm-service.ts';
import { RuleActions } from '../rules/rule-actions.ts';
import { RuleEngine } from '../rules/rule-engine.ts';
import { RuleService } from '../rules/rule-service.ts';
import { EmailChannel } from '../rules/channels/email-channel.ts';
import { MqttChannel } from '../rules/channels/mqtt-channel.ts';
import { WebhookChannel } from '../rules/channels/webhook-channel.ts';
import { dynsecWiring } from './dynsec-wiring.ts';
import { parseAllowPrivate } from '../rules/channels/webhook-guard.ts';
import { NotificationDispatcher } from '../rules/notification-dispatcher.ts';
import { NotificationOutbox } from '../rules/notification-outbox.ts';
import { NotificationService } from '../rules/notification-service.ts';

export const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface Platform {
  config: Config;
  logger: Logger;
  storage: Storage;
  http: FastifyInstance;
  pipeline: IngestPipeline;
  bus: EventBus;
  metrics: Metrics;
  blobs: BlobStore;
  files: DeviceFileService;
  /** Device system logs; `logs.append(deviceId, payload)` is what the MQTT devices/{id}/logs bridge calls. */
  logs: DeviceLogService;
  retention: LogRetention;
  auth: AuthService;
  /** A short-lived access token for an existing user, for in-process API clients (the embedded simulator). */
  accessTokenFor(username: string): Promise<string>;
  /** Set when the first start generated the admin password: print it once. */
  generatedAdminPassword?: string;
  connectivity: Connectivity;
  mqttDeps: MqttDeps;
  alarms: AlarmService;
  /** Evaluates rules as points arrive and every RULES_TICK_MS (started by listen). */
  ruleEngine: RuleEngine;
  /** Runs rules' actions (commands, desired state) as their alarms are raised and cleared. */
  ruleActions: RuleActions;
  /** Writes alarm changes to the notification outbox. */
  notificationOutbox: NotificationOutbox;
  /** Sends the outbox (started by listen). */
  notificationDispatcher: NotificationDispatcher;
  /** The running MQTT side (after listen), when MQTT is enabled. */
  mqtt?: RunningMqtt;
  /** The RabbitMQ connector, when AMQP_URL is set (after listen). */
  amqp?: AmqpConnector;
  /** Home Assistant discovery, when HA_DISCOVERY is on (after listen). */
  homeAssistant?: HaPublisher;
  /** Starts listening; resolves with the bound HTTP port (and the embedded broker's MQTT port). */
  listen(): Promise<{ port: number; mqttPort?: number }>;
  stop(): Promise<void>;
}

/** Waits (at most 5 s) for Redis, so shared limits apply from the first request; goes on without it. */
function redisReady(redis: Redis, logger: Logger): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      logger.warn('Redis (REDIS_URL) not ready after 5 s; rate limits are per node until it is');
      resolve();
    }, 5000);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function createPlatform(config: Config, logger: Logger = pino({ level: config.LOG_LEVEL })): Promise<Platform> {
  const storage = openStorage(config);
  try {
    await storage.migrate();
  } catch (err) {
    await storage.close().catch(() => {});
    throw new Error(
      `Storage is not usable (${config.DATABASE_URL ? 'DATABASE_URL' : 'DATA_DIR'}): ${(err as Error).message}`,
      { cause: err },
    );
  }
  const metrics = new Metrics();
  const bus = new EventBus();
  const leadership = new Leadership(
    config.DATABASE_URL
      ? new PostgresJobLock(config.DATABASE_URL, config.DATABASE_SCHEMA, {
          retryMs: config.SCHEDULER_LOCK_RETRY_MS,
          onChange: (leader) => {
            logger.info({ leader }, leader ? 'this node now runs the scheduled jobs (scheduler leader)' : 'this node no longer runs the scheduled jobs');
            // The retention sweep runs hourly: a new leader sweeps at once, as a single node does at start.
            if (leader && leadership.mayRun('log-retention')) void retention.sweep();
            if (leader && leadership.mayRun('telemetry-retention')) void telemetryRetention.sweep();
          },
          onError: (err) => logger.debug({ err: (err as Error).message }, 'scheduler lock connection failed'),
        })
      : SINGLE_NODE_LOCK,
  );
  metrics.observeScheduler(() => ({ leader: leadership.isLeader(), runs: leadership.runCounts() }));
  const secret = config.JWT_SECRET ?? (await storage.setSettingIfAbsent('jwt_secret', randomBytes(48).toString('base64url')));
  const tokens = new TokenService(secret, config.JWT_TTL_SECONDS);
  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false }) : undefined;
  redis?.on('error', (err) => logger.warn({ err: err.message }, 'Redis (REDIS_URL) error; rate limits fall back to this node'));
  if (redis) await redisReady(redis, logger);
  const limits = new RateLimits(
    {
      login: parseRateLimit(config.RATE_LIMIT_LOGIN),
      register: parseRateLimit(config.RATE_LIMIT_REGISTER),
      ingest: parseRateLimit(config.RATE_LIMIT_INGEST),
      api: parseRateLimit(config.RATE_LIMIT_API),
      api_key: parseRateLimit(config.RATE_LIMIT_API_KEY),
    },
    { redis, keyPrefix: config.REDIS_PREFIX },
  );
  const audit = new AuditLog(storage);
  const auth = new AuthService(storage, tokens, { refreshTtlSeconds: config.REFRESH_TTL_SECONDS, audit, limits, bus });
  const admin = await auth.bootstrapAdmin(config.ADMIN_USERNAME, config.ADMIN_PASSWORD);
  const presence = new Presence(storage, config.PRESENCE_FLUSH_MS, (err) => logger.warn({ err }, 'last_seen flush failed'));
  const keys = new ApiKeyVerifier(storage);
  const access = new DeviceAccess(storage);
  const blobs = await openBlobStore(config);
  const typeList = (text: string) => text.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
  const files = new DeviceFileService(storage, blobs, access, {
    maxBytes: config.FILE_MAX_BYTES,
    allowedTypes: { image: typeList(config.FILE_IMAGE_TYPES), log: typeList(config.FILE_LOG_TYPES) },
  });
  const logs = new DeviceLogService(storage, access);
  const retention = new LogRetention(
    storage,
    config.LOG_RETENTION_DAYS,
    config.LOG_RETENTION_SWEEP_MS,
    (err) => logger.warn({ err }, 'log retention sweep failed'),
    (deleted) => deleted > 0 && logger.info({ deleted }, 'log retention: deleted old device log lines'),
    () => leadership.mayRun('log-retention'),
  );
  const dynsec = dynsecWiring(config, storage, logger, () => leadership.mayRun('dynsec-resync'));
  const devices = new DeviceService(
    storage,
    access,
    keys,
    presence,
    bus,
    files,
    (err, deviceId) => logger.warn({ err, deviceId }, 'deleting the files of a deleted device failed; their blobs stay in file storage'),
    audit,
    dynsec?.sync,
  );
  const ingestRate = new IngestRate(bus);
  const profiles = new ProfileService(storage);
  const telemetryRetention = new TelemetryRetention(
    storage,
    profiles,
    { raw: config.RETENTION_RAW_DAYS, minute: config.RETENTION_MINUTE_DAYS, hour: config.RETENTION_HOUR_DAYS },
    config.RETENTION_SWEEP_MS,
    (err) => logger.warn({ err }, 'telemetry retention sweep failed'),
    (done) => done.droppedChunks + done.droppedRollupRows > 0 && logger.info(done, 'telemetry retention: dropped old telemetry'),
    () => leadership.mayRun('telemetry-retention'),
  );
  const adminService = new AdminService(storage, ingestRate, telemetryRetention);
  const pipeline = new IngestPipeline((points) => storage.writePoints(points), bus, presence, metrics, {
    maxBatchPoints: config.INGEST_MAX_BATCH,
    maxPendingPoints: config.INGEST_MAX_PENDING,
    unhealthyForMs: 30_000,
    limits: { ...DEFAULT_LIMITS, maxPoints: config.MAX_POINTS_PER_REQUEST },
  });
  const commands = new CommandService(storage, access, bus, profiles, { defaultTimeoutS: config.COMMAND_TIMEOUT_S, expirySweepMs: 5_000, mayRun: () => leadership.mayRun('command-expiry') });
  const commandResend = new CommandResend(storage, bus, {
    afterMs: config.COMMAND_RESEND_AFTER_MS,
    mayRun: () => leadership.mayRun('command-resend'),
    onError: (err) => logger.warn({ err }, 'resend of pending commands failed'),
  });
  const connectivity = new Connectivity(presence, bus, config.OFFLINE_AFTER * 1000);
  const homeAssistant = wireHomeAssistant(config, { storage, access, commands, profiles, connectivity, bus, logger, version: VERSION });
  const mqttDeps: MqttDeps = {
    options: {
      maxPayloadBytes: config.MQTT_MAX_PAYLOAD_BYTES,
      connectTimeoutMs: config.MQTT_CONNECT_TIMEOUT_MS,
      maxConnections: config.MQTT_MAX_CONNECTIONS,
      maxSubscriptions: config.MQTT_MAX_SUBSCRIPTIONS,
      receiveMaximum: config.MQTT_RECEIVE_MAXIMUM,
      topicAliasMaximum: config.MQTT_TOPIC_ALIAS_MAXIMUM,
      maxKeepaliveSeconds: config.MQTT_MAX_KEEPALIVE_S,
      deviceRate: parseRateLimit(config.MQTT_RATE_LIMIT_DEVICE),
    },
    logger,
    policy: new MqttPolicy(new MqttTopics(config.MQTT_TOPIC_PREFIX), keys, auth, storage, () => metrics.mqttAdminPasswordChecks.inc(), homeAssistant?.access),
    pipeline,
    connectivity,
    bus,
    metrics,
    commands,
    logs,
    limits,
  };
  const allowPrivate = parseAllowPrivate(config.WEBHOOK_ALLOW_PRIVATE);
  const email = config.SMTP_URL ? new EmailChannel(config.SMTP_URL, config.SMTP_FROM) : undefined;
  const notificationDispatcher = new NotificationDispatcher(
    storage,
    [
      new WebhookChannel({ allow: allowPrivate, timeoutMs: config.WEBHOOK_TIMEOUT_MS, userAgent: `Fluxgate/${VERSION}` }),
      new MqttChannel(() => {
        const aedes = platform.mqtt?.broker?.aedes;
        if (!aedes) return undefined;
        return (topic, payload) =>
          new Promise<void>((resolve, reject) =>
            aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false }, (err) => (err ? reject(err) : resolve())),
          );
      }),
      ...(email ? [email] : []),
    ],
    {
      pollMs: config.NOTIFY_POLL_MS,
      maxAttempts: config.NOTIFY_MAX_ATTEMPTS,
      retryBaseMs: config.NOTIFY_RETRY_BASE_MS,
      concurrency: config.NOTIFY_CONCURRENCY,
      leaseMs: config.WEBHOOK_TIMEOUT_MS + 30_000,
      onError: (err, row) => logger.warn({ err: (err as Error).message, notification: row.id, channel: row.channel, attempt: row.attempts + 1 }, 'notification not sent'),
    },
  );
  // Alarm changes store their notifications through the outbox, in the change's transaction.
  const notificationOutbox = new NotificationOutbox(storage, bus, { onEnqueued: () => notificationDispatcher.kick() });
  const alarms = new AlarmService(storage, access, bus, { notifications: notificationOutbox });
  const rules = new RuleService(storage, access, bus, alarms, { offlineAfterMs: config.OFFLINE_AFTER * 1000 });
  const ruleEngine = new RuleEngine(storage, bus, alarms, {
    tickMs: config.RULES_TICK_MS,
    offlineAfterMs: config.OFFLINE_AFTER * 1000,
    onError: (err, context) => logger.warn({ err }, `rule engine: ${context} failed`),
    mayTick: () => leadership.mayRun('rule-timers'),
  });
  const ruleActions = new RuleActions(storage, bus, commands, alarms, (err) => logger.warn({ err }, 'rule action failed'));
  const notifications = new NotificationService(storage, { allowPrivate, onRetry: () => notificationDispatcher.kick() });
  const queries = new QueryService(storage);
  const health = new HealthService(storage);
  const statusCache = new DeviceStatusCache(bus, {
    redis,
    keyPrefix: config.REDIS_PREFIX,
    flushMs: config.PRESENCE_FLUSH_MS,
    onError: (err) => logger.warn({ err: (err as Error).message }, 'device-status cache: Redis unavailable, using this node\'s memory'),
  });
  health.register('files', async () => {
    try {
      await blobs.ping();
      return { ok: true, driver: blobs.driver };
    } catch (err) {
      return { ok: false, driver: blobs.driver, error: (err as Error).message };
    }
  });
  health.register('ingest', () => {
    const h = pipeline.health();
    return { ok: h.ok, pending_points: h.pendingPoints, ...(h.lastError ? { last_error: h.lastError } : {}) };
  });
  // Rate limits fall back to this node when Redis is down, so its state informs but never fails health.
  if (redis) health.register('redis', () => ({ ok: true, connected: redis.status === 'ready', status: redis.status }));
  health.register('scheduler', () => ({ ok: true, leader: leadership.isLeader(), lock: leadership.kind, job_runs: Object.fromEntries(leadership.runCounts()) }));
  health.register('device_status_cache', () => ({ ok: true, store: statusCache.store }));
  if (config.AMQP_URL) {
    health.register('amqp', () => {
      const c = platform.amqp?.counters();
      return c ? { ok: c.connected, stored: c.stored, dead_lettered: c.deadLettered, events_published: c.events.published, events_dropped: c.events.dropped } : { ok: false, error: 'not connected yet' };
    });
  }
  // External broker mode: a node cut off from the broker receives no device messages.
  health.register('mqtt', () => {
    const status = mqttStatus(config, platform.mqtt);
    return status.enabled && status.mode === 'external' ? (platform.mqtt?.health?.() ?? { ok: false, mode: 'external', error: 'not connected yet' }) : { ok: true, ...status };
  });

  if (dynsec) health.register('mqtt_dynsec', () => dynsec.health());

  const mqttHooks = config.MQTT_ENABLED && config.MQTT_URL && config.MQTT_HOOK_SECRET ? { policy: mqttDeps.policy, secret: config.MQTT_HOOK_SECRET } : undefined;
  if (config.MQTT_ENABLED && config.MQTT_URL && !config.MQTT_HOOK_SECRET && !dynsec) {
    logger.warn('MQTT_URL is set without MQTT_HOOK_SECRET: the broker hooks POST /api/v1/mqtt/auth and /mqtt/acl are off');
  }
  const compatSystems = parseCompatSystems(config.COMPAT_APIS) ?? new Set<CompatSystem>();
  const http = await buildHttpServer(
    {
      options: {
        bodyLimitBytes: config.BODY_LIMIT_BYTES,
        requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
        queryMaxLimit: config.QUERY_MAX_LIMIT,
        offlineAfterMs: config.OFFLINE_AFTER * 1000,
        allowRegistration: config.ALLOW_REGISTRATION,
        dashboardDir: fileURLToPath(new URL('../../web/dist', import.meta.url)),
        corsOrigins: config.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
        trustProxy: config.TRUST_PROXY,
        metricsToken: config.METRICS_TOKEN,
        lineProtocol: config.LINE_PROTOCOL_ENABLED,
      },
      logger,
      auth,
      devices,
      latest: new DeviceLatest(storage, profiles),
      summary: new DeviceSummaryService(storage, presence, ingestRate, config.OFFLINE_AFTER * 1000),
      commands,
      access,
      keys,
      pipeline,
      queries,
      energy: new EnergyService(storage),
      health,
      metrics,
      files,
      logs,
      users: new UserService(storage, auth, devices, audit, bus),
      sharing: new SharingService(storage, access, devices, audit, bus),
      admin: adminService,
      limits,
      ...(mqttHooks ? { mqttHooks } : {}),
      bus,
      charts: new ChartService(storage, access),
      dashboards: new DashboardService(storage, access),
      profiles,
      series: new ChartSeriesService(storage, queries),
      rules,
      alarms,
      notifications,
      homeAssistant: { mode: config.HA_DISCOVERY, prefix: config.HA_DISCOVERY_PREFIX },
      compat: {
        systems: compatSystems,
        statusCache,
        mqttStatus: () => mqttStatus(config, platform.mqtt),
      },
    },
    VERSION,
  );
  adminService.registerConnections('http', () => new Promise<number>((resolve) => http.server.getConnections((err, n) => resolve(err ? 0 : n))));

  let stopped = false;
  const platform: Platform = {
    config,
    logger,
    storage,
    http,
    pipeline,
    bus,
    metrics,
    blobs,
    files,
    logs,
    retention,
    auth,
    async accessTokenFor(username) {
      const user = await storage.findUserForLogin(username);
      if (!user) throw new Error(`no user named ${username}`);
      return tokens.issue({ userId: user.id, role: user.role, username: user.username });
    },
    connectivity,
    mqttDeps,
    alarms,
    ruleEngine,
    ruleActions,
    notificationOutbox,
    notificationDispatcher,
    async listen() {
      let port: number;
      try {
        port = await listenOrExplain(http, config.HOST, config.PORT, 'PORT');
        if (config.MQTT_ENABLED) {
          // The node client this node connects as is made by the provisioner.
          await dynsec?.start();
          platform.mqtt = await startMqtt(config, mqttDeps, http.server);
          const broker = platform.mqtt.broker;
          if (broker) adminService.registerConnections('mqtt', () => broker.aedes.connectedClients);
          if (broker && homeAssistant) platform.homeAssistant = await homeAssistant.startPublisher(broker.aedes);
        }
        if (config.AMQP_URL) platform.amqp = await startAmqp({ ...config, AMQP_URL: config.AMQP_URL }, { pipeline, keys, storage, bus, logger });
      } catch (err) {
        // A start-up that fails half-way releases what it opened (storage, writer thread, Redis).
        await platform.stop().catch(() => {});
        throw err;
      }
      leadership.start();
      presence.start();
      statusCache.start();
      retention.start();
      telemetryRetention.start();
      connectivity.start();
      commands.start();
      commandResend.start();
      ruleActions.start();
      notificationOutbox.start();
      notificationDispatcher.start();
      try {
        await ruleEngine.start();
      } catch (err) {
        await platform.stop().catch(() => {});
        throw err;
      }
      const mqttPort = platform.mqtt?.port;
      logger.info({ port, mqttPort, storage: storage.kind, version: VERSION }, `Fluxgate listening on http://${config.HOST}:${port}`);
      return mqttPort === undefined ? { port } : { port, mqttPort };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      connectivity.stop();
      commands.stop();
      await commandResend.stop();
      // In-flight sends finish; rows still pending are sent after the next start.
      await notificationDispatcher.stop();
      await platform.amqp?.stop();
      await platform.homeAssistant?.stop();
      homeAssistant?.access.stop();
      await platform.mqtt?.close();
      await dynsec?.close();
      await http.close();
      await pipeline.drain();
      await ruleEngine.stop();
      await ruleActions.stop();
      await notificationOutbox.stop();
      email?.close();
      await presence.stop();
      await statusCache.stop();
      await retention.stop();
      await telemetryRetention.stop();
      await leadership.stop();
      await storage.close();
      await blobs.close();
      redis?.disconnect();
    },
  };
  if (admin.generatedPassword) platform.generatedAdminPassword = admin.generatedPassword;
  return platform;
}

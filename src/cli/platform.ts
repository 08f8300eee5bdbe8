// The one place that wires Fluxgate together: storage, services, ingest pipeline, transports.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { Config } from '../config.ts';
import { DEFAULT_LIMITS } from '../domain/telemetry.ts';
import { IngestPipeline } from '../ingest/ingest-pipeline.ts';
import { DeviceAccess } from '../services/access.ts';
import { ApiKeyVerifier } from '../services/api-keys.ts';
import { AuthService } from '../services/auth-service.ts';
import { ChartService } from '../services/chart-service.ts';
import { ChartSeriesService } from '../services/chart-series.ts';
import { DeviceService } from '../services/device-service.ts';
import { EnergyService } from '../services/energy-service.ts';
import { EventBus } from '../services/event-bus.ts';
import { HealthService } from '../services/health-service.ts';
import { Metrics } from '../services/metrics.ts';
import { Presence } from '../services/presence.ts';
import { QueryService } from '../services/query-service.ts';
import { TokenService } from '../services/tokens.ts';
import { openStorage } from '../storage/open-storage.ts';
import type { Storage } from '../storage/storage.ts';
import { buildHttpServer } from '../transport/http/http-server.ts';
import { listenOrExplain } from './listen.ts';

export const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface Platform {
  config: Config;
  logger: Logger;
  storage: Storage;
  http: FastifyInstance;
  pipeline: IngestPipeline;
  bus: EventBus;
  metrics: Metrics;
  /** Set when the first start generated the admin password: print it once. */
  generatedAdminPassword?: string;
  /** Starts listening; resolves with the bound HTTP port. */
  listen(): Promise<{ port: number }>;
  stop(): Promise<void>;
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
  const secret = config.JWT_SECRET ?? (await storage.setSettingIfAbsent('jwt_secret', randomBytes(48).toString('base64url')));
  const tokens = new TokenService(secret, config.JWT_TTL_SECONDS);
  const auth = new AuthService(storage, tokens);
  const admin = await auth.bootstrapAdmin(config.ADMIN_USERNAME, config.ADMIN_PASSWORD);
  const presence = new Presence(storage, config.PRESENCE_FLUSH_MS, (err) => logger.warn({ err }, 'last_seen flush failed'));
  const keys = new ApiKeyVerifier(storage);
  const access = new DeviceAccess(storage);
  const devices = new DeviceService(storage, access, keys, presence, bus);
  const pipeline = new IngestPipeline((points) => storage.writePoints(points), bus, presence, metrics, {
    maxBatchPoints: config.INGEST_MAX_BATCH,
    maxPendingPoints: config.INGEST_MAX_PENDING,
    limits: { ...DEFAULT_LIMITS, maxPoints: config.MAX_POINTS_PER_REQUEST },
  });
  const queries = new QueryService(storage);
  const health = new HealthService(storage);
  health.register('ingest', () => {
    const h = pipeline.health();
    return { ok: h.ok, pending_points: h.pendingPoints, ...(h.lastError ? { last_error: h.lastError } : {}) };
  });

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
      },
      logger,
      auth,
      devices,
      access,
      keys,
      pipeline,
      queries,
      energy: new EnergyService(storage),
      health,
      metrics,
      bus,
      charts: new ChartService(storage, access),
      series: new ChartSeriesService(storage, queries),
    },
    VERSION,
  );

  let stopped = false;
  const platform: Platform = {
    config,
    logger,
    storage,
    http,
    pipeline,
    bus,
    metrics,
    async listen() {
      const port = await listenOrExplain(http, config.HOST, config.PORT, 'PORT');
      presence.start();
      logger.info({ port, storage: storage.kind, version: VERSION }, `Fluxgate listening on http://${config.HOST}:${port}`);
      return { port };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await http.close();
      await pipeline.drain();
      await presence.stop();
      await storage.close();
    },
  };
  if (admin.generatedPassword) platform.generatedAdminPassword = admin.generatedPassword;
  return platform;
}

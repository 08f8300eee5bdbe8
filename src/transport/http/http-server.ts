// Builds the Fastify app (routes, schemas, OpenAPI, error mapping) without listening, so tests
// can inject and the cli decides where to listen.
import fastifyCors from '@fastify/cors';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { FluxgateError, isFluxgateError } from '../../contract/errors.ts';
import { registerCompatApis } from './compat/register-compat.ts';
import { serveDashboard } from './dashboard-static.ts';
import { clientErrorHandler, frameworkErrorBody, installErrorHandling } from './error-handler.ts';
import type { HttpDeps } from './http-deps.ts';
import { installJsonDepthLimit } from './json-depth.ts';
import { installSecurityHeaders } from './security-headers.ts';
import { accessRoutes } from './routes/access-routes.ts';
import { adminRoutes } from './routes/admin-routes.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { commandRoutes } from './routes/command-routes.ts';
import { mqttHookRoutes } from './routes/mqtt-hook-routes.ts';
import { chartRoutes } from './routes/chart-routes.ts';
import { dashboardRoutes } from './routes/dashboard-routes.ts';
import { profileRoutes } from './routes/profile-routes.ts';
import { alarmRoutes } from './routes/alarm-routes.ts';
import { notificationRoutes } from './routes/notification-routes.ts';
import { ruleRoutes } from './routes/rule-routes.ts';
import { deviceRoutes } from './routes/device-routes.ts';
import { deviceSelfRoutes } from './routes/device-self-routes.ts';
import { energyRoutes } from './routes/energy-routes.ts';
import { fileRoutes } from './routes/file-routes.ts';
import { lineProtocolRoutes } from './routes/line-protocol-routes.ts';
import { logRoutes } from './routes/log-routes.ts';
import { systemRoutes } from './routes/system-routes.ts';
import { homeAssistantRoutes } from './routes/home-assistant-routes.ts';
import { seriesRoutes } from './routes/series-routes.ts';
import { telemetryRoutes } from './routes/telemetry-routes.ts';
import { userRoutes } from './routes/user-routes.ts';
import { StreamHub } from '../ws/stream-hub.ts';
import { streamRoute } from '../ws/stream-route.ts';
import { webSocketErrorHandler } from '../ws/ws-errors.ts';

export async function buildHttpServer(deps: HttpDeps, version: string): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.options.bodyLimitBytes,
    requestTimeout: deps.options.requestTimeoutMs,
    connectionTimeout: deps.options.requestTimeoutMs,
    // Slowloris: headers trickled in get the same deadline as the whole request, and Node checks
    // the deadlines every second rather than every 30 s.
    http: {
      headersTimeout: deps.options.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, deps.options.requestTimeoutMs),
      // Node would answer a missing Host with a bare, empty 400; the onRequest hook below refuses
      // it in our error format instead.
      requireHostHeader: false,
    },
    return503OnClosing: true,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { maxParamLength: 200 },
    // Router-level refusals (bad percent-encoding, over-long path parameters) answer in our error format too.
    clientErrorHandler,
    frameworkErrors: (err, _request, reply) => void (reply as FastifyReply).code(400).send(frameworkErrorBody(err)),
    trustProxy: deps.options.trustProxy ?? false,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const dashboard = await serveDashboard(app, deps.options.dashboardDir);
  installErrorHandling(app, dashboard);
  // The API speaks JSON: other bodies get 415 instead of reaching handlers as strings.
  app.removeContentTypeParser('text/plain');
  installJsonDepthLimit(app);

  app.addHook('onRequest', async (request) => {
    const { httpVersionMajor, httpVersionMinor } = request.raw;
    if (httpVersionMajor === 1 && httpVersionMinor >= 1 && request.headers.host === undefined) {
      throw new FluxgateError('VALIDATION_FAILED', 'An HTTP/1.1 request must have a Host header (RFC 9112, section 3.2)');
    }
  });

  // Device-key brute force: unknown keys count per client IP; once over the limit, requests from
  // that IP carrying a key are refused before the key is looked up.
  app.addHook('onRequest', async (request) => {
    if (request.headers['x-api-key'] !== undefined) await deps.limits.check('api_key', request.ip);
  });
  app.addHook('onError', async (request, _reply, error) => {
    if (isFluxgateError(error) && error.code === 'INVALID_API_KEY' && request.headers['x-api-key']) {
      await deps.limits.consume('api_key', request.ip).catch(() => {});
    }
  });

  app.addHook('onResponse', (request, reply, done) => {
    deps.metrics.countHttpRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode);
    done();
  });

  // Only the configured origins may call the API from a browser; none when CORS_ORIGINS is empty.
  await app.register(fastifyCors, {
    origin: deps.options.corsOrigins.length > 0 ? deps.options.corsOrigins : false,
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'x-api-key'],
    exposedHeaders: ['content-disposition', 'retry-after'],
    maxAge: 600,
  });
  // Swagger UI at /docs sets inline styles and shows data: images, hence those allowances. No
  // upgrade-insecure-requests: a plain-HTTP install on a LAN address would lose its own assets.
  installSecurityHeaders(app, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        upgradeInsecureRequests: null,
        // blob: the dashboard shows device images it fetched with the bearer token as object URLs.
        imgSrc: ["'self'", 'data:', 'blob:', 'validator.swagger.io'],
        connectSrc: ["'self'", 'ws:', 'wss:'],
      },
    },
    crossOriginEmbedderPolicy: false,
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Fluxgate API', version, description: 'Devices, telemetry, queries and energy. Errors: {"error":{"code","message","details"}}.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          influxToken: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'Token <device key or user access token> (InfluxDB clients)' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  authRoutes(app, deps);
  userRoutes(app, deps);
  accessRoutes(app, deps);
  adminRoutes(app, deps);
  deviceSelfRoutes(app, deps);
  deviceRoutes(app, deps);
  commandRoutes(app, deps);
  mqttHookRoutes(app, deps);
  telemetryRoutes(app, deps);
  if (deps.options.lineProtocol) await lineProtocolRoutes(app, deps);
  energyRoutes(app, deps);
  await fileRoutes(app, deps);
  logRoutes(app, deps);
  chartRoutes(app, deps);
  dashboardRoutes(app, deps);
  profileRoutes(app, deps);
  ruleRoutes(app, deps);
  alarmRoutes(app, deps);
  notificationRoutes(app, deps);
  seriesRoutes(app, deps);
  homeAssistantRoutes(app, deps);
  systemRoutes(app, deps, version);
  await registerCompatApis(app, deps, dashboard);

  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 }, errorHandler: webSocketErrorHandler(deps.metrics) });
  const hub = new StreamHub(deps.bus);
  hub.start();
  app.addHook('onClose', async () => hub.stop());
  streamRoute(app, deps, hub);
  return app;
}

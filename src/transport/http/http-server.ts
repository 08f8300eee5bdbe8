// Builds the Fastify app (routes, schemas, OpenAPI, error mapping) without listening, so tests
// can inject and the cli decides where to listen.
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { serveDashboard } from './dashboard-static.ts';
import { installErrorHandling } from './error-handler.ts';
import type { HttpDeps } from './http-deps.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { chartRoutes } from './routes/chart-routes.ts';
import { deviceRoutes } from './routes/device-routes.ts';
import { deviceSelfRoutes } from './routes/device-self-routes.ts';
import { energyRoutes } from './routes/energy-routes.ts';
import { systemRoutes } from './routes/system-routes.ts';
import { seriesRoutes } from './routes/series-routes.ts';
import { telemetryRoutes } from './routes/telemetry-routes.ts';
import { StreamHub } from '../ws/stream-hub.ts';
import { streamRoute } from '../ws/stream-route.ts';

export async function buildHttpServer(deps: HttpDeps, version: string): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.options.bodyLimitBytes,
    requestTimeout: deps.options.requestTimeoutMs,
    connectionTimeout: deps.options.requestTimeoutMs,
    return503OnClosing: true,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { maxParamLength: 200 },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app, await serveDashboard(app, deps.options.dashboardDir));

  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpRequests.inc({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode });
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Fluxgate API', version, description: 'Devices, telemetry, queries and energy. Errors: {"error":{"code","message","details"}}.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  authRoutes(app, deps);
  deviceSelfRoutes(app, deps);
  deviceRoutes(app, deps);
  telemetryRoutes(app, deps);
  energyRoutes(app, deps);
  chartRoutes(app, deps);
  seriesRoutes(app, deps);
  systemRoutes(app, deps, version);

  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  const hub = new StreamHub(deps.bus);
  hub.start();
  app.addHook('onClose', async () => hub.stop());
  streamRoute(app, deps, hub);
  return app;
}

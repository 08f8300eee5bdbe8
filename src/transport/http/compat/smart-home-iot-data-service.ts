// The Smart Home IoT Data Service's API (FastAPI, port 8001) at its own unprefixed paths. Its
// callers sent no credentials; here they send a user's bearer token (or, for a device's own
// sensor data, its X-API-Key), as on /api/v1.
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { COMPAT_SYSTEMS } from '../../../contract/compat-systems.ts';
import { FluxgateError } from '../../../contract/errors.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireUser } from '../request-auth.ts';
import { fileToView, readUpload } from '../routes/file-routes.ts';
import { type DashboardFallback, dashboardForBrowsers } from './browser-pages.ts';
import { forward, ok } from './forward.ts';

const tags = [COMPAT_SYSTEMS['smart-home-iot-data-service']];
const security = [{ bearer: [] }];
const deviceParam = z.object({ device_id: z.string().min(1).max(64) });
const timeRange = z.object({
  start_time: z.string().max(64).optional().describe('ISO 8601, epoch ms or -24h style offset'),
  end_time: z.string().max(64).optional(),
});

/** Our device view with the service's `device_id` beside our `id`. */
function withDeviceId<T extends { id: string }>(device: T): T & { device_id: string } {
  return { ...device, device_id: device.id };
}

export async function smartHomeIotDataService(app: FastifyInstance, deps: HttpDeps, dashboard: DashboardFallback | undefined): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const pages = dashboardForBrowsers(dashboard);
  const path = (id: string, rest = '') => `/api/v1/devices/${encodeURIComponent(id)}${rest}`;

  r.post(
    '/generate-and-store',
    {
      schema: {
        tags,
        summary: 'Generate and store demo devices of the smart-home types with their history (admin; needs the demo simulator, --demo)',
        security,
        querystring: z.object({ num_devices: z.coerce.number().int().min(1).max(100).default(5) }),
      },
    },
    async (request, reply) => {
      const res = await forward(app, request, '/api/v1/simulation/generate', { query: { num_devices: request.query.num_devices } });
      if (res.status === 404 && res.body?.error?.code === 'ROUTE_NOT_FOUND') {
        throw new FluxgateError('SIMULATION_NOT_RUNNING', 'Generating data needs the embedded simulator: start the platform with --demo (DEMO=true), or send telemetry as devices do');
      }
      const body = ok(res).body as { devices: Array<{ id: string; type: string }>; messages: number };
      return reply.code(201).send({ message: `Generated and stored data for ${body.devices.length} devices`, ...body });
    },
  );

  r.get('/devices', { onRequest: pages, schema: { tags, summary: 'All devices you may see, with their metadata', security } }, async (request) => {
    const body = ok(await forward(app, request, '/api/v1/devices')).body as { devices: Array<{ id: string }> };
    return { ...body, devices: body.devices.map(withDeviceId) };
  });

  r.get('/devices/:device_id', { onRequest: pages, schema: { tags, summary: "A device's metadata", security, params: deviceParam } }, async (request) =>
    withDeviceId(ok(await forward(app, request, path(request.params.device_id))).body),
  );

  r.delete('/devices/:device_id', { schema: { tags, summary: 'Delete a device with all its data (sensor data, logs, images)', security, params: deviceParam } }, async (request) => {
    ok(await forward(app, request, path(request.params.device_id), { query: { confirm: 'true' } }));
    return { message: `All data for device ${request.params.device_id} deleted`, device_id: request.params.device_id };
  });

  r.get(
    '/devices/:device_id/sensor-data',
    { schema: { tags, summary: "A device's sensor data (bearer token, or the device's X-API-Key)", security, params: deviceParam, querystring: timeRange } },
    async (request) => {
      const q = request.query;
      const body = ok(await forward(app, request, `/api/v1/telemetry/${encodeURIComponent(request.params.device_id)}`, { query: { ...q, order: 'asc' } })).body as {
        points: Array<{ timestamp: string; field: string; value: unknown }>;
      };
      return { ...body, sensor_data: body.points };
    },
  );

  r.get(
    '/devices/:device_id/logs',
    { schema: { tags, summary: "A device's system logs", security, params: deviceParam, querystring: timeRange } },
    async (request) => ok(await forward(app, request, path(request.params.device_id, '/logs'), { query: request.query })).body,
  );

  r.get('/devices/:device_id/images', { schema: { tags, summary: "A device's images", security, params: deviceParam } }, async (request) =>
    ok(await forward(app, request, path(request.params.device_id, '/images'))).body,
  );

  r.get('/device-types', { schema: { tags, summary: 'Distinct device types of the devices you may see', security } }, async (request) => {
    const types = ok(await forward(app, request, '/api/v1/device-types')).body as string[];
    return { device_types: types };
  });

  r.get('/device-locations', { schema: { tags, summary: 'Distinct locations of the devices you may see', security } }, async (request) => {
    const locations = ok(await forward(app, request, '/api/v1/device-locations')).body as string[];
    return { locations };
  });

  // The upload reads the multipart body itself (it cannot be forwarded without buffering it first).
  await app.register(async (scope) => {
    const maxBytes = deps.files.rules.maxBytes;
    await scope.register(fastifyMultipart, { preservePath: true, limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 1024, parts: 12, headerPairs: 50 } });
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/devices/:device_id/images',
      {
        schema: { tags, summary: 'Upload an image for a device (multipart field "file")', security, consumes: ['multipart/form-data'], params: deviceParam },
        validatorCompiler: () => (data) => ({ value: data }),
      },
      async (request, reply) => {
        const principal = await requireUser(deps.auth, request);
        const deviceId = request.params.device_id;
        await deps.access.require(principal, deviceId, 'control');
        const file = await deps.files.upload(principal, deviceId, 'image', await readUpload(request, maxBytes));
        const view = fileToView(file, 'images');
        return reply.code(201).send({ ...view, message: 'Image uploaded successfully', device_id: deviceId });
      },
    );
  });
}

// IoTFlow's documented endpoints that Fluxgate serves nowhere else: a user's devices, telemetry
// and charts by user id, the admin device routes, dashboard and device-status cache, MQTT status,
// and telemetry by device id. The rest of its table (register, heartbeat, telemetry, latest,
// aggregated, admin stats and statuses, …) are Fluxgate's own /api/v1 paths already.
// Auth: X-User-ID becomes the user's bearer token; IoTFlow's `Authorization: admin <token>` is
// accepted with an admin's access token as <token>; devices keep their X-API-Key.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { COMPAT_SYSTEMS } from '../../../contract/compat-systems.ts';
import { FluxgateError } from '../../../contract/errors.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireAdmin, requireDevice, requireUser } from '../request-auth.ts';
import type { CompatDeps } from './compat-deps.ts';
import { readingsOf } from './device-readings.ts';
import { forward, ok } from './forward.ts';

const tags = [COMPAT_SYSTEMS.iotflow];
const security = [{ bearer: [] }];
const userParam = z.object({ user_id: z.string().min(1).max(100) });
const idParam = z.object({ id: z.string().min(1).max(64) });

export function iotflow(app: FastifyInstance, deps: HttpDeps, compat: CompatDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  // `Authorization: admin <token>` is read as a bearer token everywhere (request-auth.ts).
  const asAdmin = async (request: FastifyRequest) => {
    requireAdmin(await requireUser(deps.auth, request));
    return {};
  };
  const device = (id: string) => `/api/v1/devices/${encodeURIComponent(id)}`;

  r.get(
    '/api/v1/devices/credentials',
    { schema: { tags, summary: 'Not served: device keys are stored hashed and shown once (410 says what to do instead)', security: [{ apiKey: [] }] } },
    async (request) => {
      const deviceId = await requireDevice(deps.keys, request);
      throw new FluxgateError(
        'API_KEY_NOT_READABLE',
        `Fluxgate stores device keys hashed and shows a key once, when the device is created. The device that sent this key is ${deviceId}; to get a new key, its owner rotates it with POST /api/v1/devices/${deviceId}/api-key`,
        { device_id: deviceId },
      );
    },
  );

  r.get('/api/v1/devices/user/:user_id', { schema: { tags, summary: "A user's devices (yourself, or anyone for admins)", security, params: userParam } }, async (request) => {
    const body = ok(await forward(app, request, `/api/v1/mappings/user/${encodeURIComponent(request.params.user_id)}/devices`, { query: { limit: 1000 } })).body;
    return { status: 'success', user_id: request.params.user_id, ...body };
  });

  r.get(
    '/api/v1/telemetry/user/:user_id',
    {
      schema: {
        tags,
        summary: "Telemetry of all a user's devices (yourself, or anyone for admins)",
        security,
        params: userParam,
        querystring: z.object({ start_time: z.string().max(64).optional(), end_time: z.string().max(64).optional(), limit: z.coerce.number().int().min(1).max(10_000).default(100) }),
      },
    },
    async (request) => {
      const principal = await requireUser(deps.auth, request);
      const { items } = await deps.sharing.devicesOf(principal, request.params.user_id, { limit: 1000, offset: 0 });
      const readings = await readingsOf(deps, principal, items, request.query);
      const telemetry = readings.map(({ device, points }) => ({ device_id: device.id, device_name: device.name, count: points.length, data: points }));
      return { status: 'success', user_id: request.params.user_id, device_count: items.length, telemetry };
    },
  );

  r.get('/api/v1/charts/user/:user_id', { schema: { tags, summary: "A user's saved charts (your own)", security, params: userParam } }, async (request) => {
    const principal = await requireUser(deps.auth, request);
    if (principal.userId !== request.params.user_id) {
      // As for a user's devices, other users learn nothing about who exists.
      if (principal.role !== 'admin') throw new FluxgateError('USER_NOT_FOUND');
      throw new FluxgateError('FORBIDDEN', 'Saved charts are private to their owner: ask with your own user id (GET /api/v1/auth/me tells it)');
    }
    const body = ok(await forward(app, request, '/api/v1/charts', { query: {} })).body;
    return { status: 'success', user_id: principal.userId, ...body };
  });

  r.post(
    '/api/v1/mqtt/telemetry/:id',
    { schema: { tags, summary: 'Submit telemetry for a device over HTTP (its X-API-Key); same as POST /api/v1/telemetry', security: [{ apiKey: [] }], params: idParam } },
    async (request, reply) => {
      const deviceId = await requireDevice(deps.keys, request);
      if (deviceId !== request.params.id) throw new FluxgateError('FORBIDDEN', `This key belongs to device ${deviceId}, not ${request.params.id}`);
      const res = ok(await forward(app, request, '/api/v1/telemetry'));
      return reply.code(res.status).send({ ...res.body, device_id: deviceId, message: 'Telemetry data stored successfully' });
    },
  );

  r.get('/api/v1/mqtt/status', { schema: { tags, summary: 'MQTT side of this node' } }, async () => {
    const mqtt = compat.mqttStatus();
    return { status: mqtt.enabled ? 'running' : 'disabled', ...mqtt };
  });

  r.get('/api/v1/admin/devices', { schema: { tags, summary: 'All devices (admin)', security } }, async (request) => {
    const headers = await asAdmin(request);
    const body = ok(await forward(app, request, '/api/v1/devices', { headers })).body;
    return { status: 'success', ...body };
  });

  r.get('/api/v1/admin/devices/:id', { schema: { tags, summary: 'A device in detail (admin)', security, params: idParam } }, async (request) => {
    const headers = await asAdmin(request);
    const [d, latest] = await Promise.all([forward(app, request, device(request.params.id), { headers }), forward(app, request, `/api/v1/telemetry/${encodeURIComponent(request.params.id)}/latest`, { headers, query: {} })]);
    return { status: 'success', device: { ...ok(d).body, latest: ok(latest).body.values } };
  });

  r.put('/api/v1/admin/devices/:id', { schema: { tags, summary: 'Update a device (admin)', security, params: idParam } }, async (request) => {
    const headers = await asAdmin(request);
    return { status: 'success', message: 'Device updated successfully', device: ok(await forward(app, request, device(request.params.id), { headers })).body };
  });

  r.delete('/api/v1/admin/devices/:id', { schema: { tags, summary: 'Delete a device with all its data (admin)', security, params: idParam } }, async (request) => {
    const headers = await asAdmin(request);
    ok(await forward(app, request, device(request.params.id), { headers, query: { confirm: 'true' } }));
    await compat.statusCache.clearDevice(request.params.id);
    return { status: 'success', message: `Device ${request.params.id} deleted successfully` };
  });

  r.get('/api/v1/admin/dashboard', { schema: { tags, summary: 'Admin overview: statistics and the fleet summary (admin)', security } }, async (request) => {
    const headers = await asAdmin(request);
    const [stats, summary] = await Promise.all([forward(app, request, '/api/v1/admin/stats', { headers }), forward(app, request, '/api/v1/devices/summary', { headers })]);
    return { status: 'success', stats: ok(stats).body, devices: ok(summary).body, device_status_cache: await cacheStats(compat) };
  });

  r.get('/api/v1/admin/cache/device-status', { schema: { tags, summary: 'Device-status cache statistics (admin)', security } }, async (request) => {
    await asAdmin(request);
    return { status: 'success', cache_stats: await cacheStats(compat) };
  });

  r.delete('/api/v1/admin/cache/device-status', { schema: { tags, summary: 'Clear the whole device-status cache (admin)', security } }, async (request) => {
    await asAdmin(request);
    const cleared = await compat.statusCache.clear();
    return { status: 'success', message: `Cleared ${cleared} cached device statuses`, cleared };
  });

  r.delete('/api/v1/admin/cache/devices/:id', { schema: { tags, summary: "Clear one device's cached status (admin)", security, params: idParam } }, async (request) => {
    await asAdmin(request);
    const cleared = await compat.statusCache.clearDevice(request.params.id);
    return { status: 'success', message: cleared ? `Cache cleared for device ${request.params.id}` : `Device ${request.params.id} had no cached status`, device_id: request.params.id, cleared };
  });

  r.get('/api/v1/devices/:id/cached-status', { schema: { tags, summary: "A device's cached status and last_seen (owner, admin or a grant)", security, params: idParam } }, async (request) => {
    ok(await forward(app, request, device(request.params.id), { query: {} }));
    const entry = await compat.statusCache.get(request.params.id);
    return {
      device_id: request.params.id,
      cached: entry !== undefined,
      status: entry?.status ?? null,
      last_seen: entry ? new Date(entry.lastSeen).toISOString() : null,
    };
  });
}

async function cacheStats(compat: CompatDeps) {
  const s = await compat.statusCache.stats();
  return {
    store: s.store,
    cached_devices: s.cachedDevices,
    online: s.online,
    offline: s.offline,
    hits: s.hits,
    misses: s.misses,
    cleared_at: s.clearedAt === null ? null : new Date(s.clearedAt).toISOString(),
  };
}

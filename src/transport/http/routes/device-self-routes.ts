// Endpoints a device calls about itself, authenticated with X-API-Key (seed 003).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { deviceSelfConfigBody, deviceView } from '../../../contract/http/devices.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireDevice } from '../request-auth.ts';
import { deviceToView } from '../views.ts';

export function deviceSelfRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['device side'];
  const security = [{ apiKey: [] }];
  const view = (d: Parameters<typeof deviceToView>[0]) => deviceToView(d, deps.options.offlineAfterMs);

  r.post(
    '/api/v1/devices/heartbeat',
    { schema: { tags, summary: 'Device heartbeat: updates last_seen', security, response: { 200: z.object({ id: z.string(), last_seen: z.string().nullable(), online: z.boolean() }) } } },
    async (request) => {
      const d = view(await deps.devices.heartbeat(await requireDevice(deps.keys, request)));
      return { id: d.id, last_seen: d.last_seen, online: d.online };
    },
  );

  r.get(
    '/api/v1/devices/status',
    { schema: { tags, summary: "The calling device's own record", security, response: { 200: deviceView } } },
    async (request) => view(await deps.devices.self(await requireDevice(deps.keys, request))),
  );

  r.put(
    '/api/v1/devices/config',
    { schema: { tags, summary: 'The device updates its own config or versions', security, body: deviceSelfConfigBody, response: { 200: deviceView } } },
    async (request) => {
      const deviceId = await requireDevice(deps.keys, request);
      const b = request.body;
      return view(
        await deps.devices.updateSelf(deviceId, { config: b.config, firmwareVersion: b.firmware_version, hardwareVersion: b.hardware_version }),
      );
    },
  );
}

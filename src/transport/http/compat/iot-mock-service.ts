// The IoT Mock Service's device operations that live at other Fluxgate paths: current readings
// and a single command. Its device CRUD, /device-types, /health and the simulation control API
// (/api/v1/simulation/*, /api/v1/devices/{id}/simulate) are Fluxgate's own paths already. Its
// callers sent no credentials; here they send a user's bearer token.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { COMPAT_SYSTEMS } from '../../../contract/compat-systems.ts';
import type { HttpDeps } from '../http-deps.ts';
import { forward, ok } from './forward.ts';

const tags = [COMPAT_SYSTEMS['iot-mock-service']];
const security = [{ bearer: [] }];
const idParam = z.object({ id: z.string().min(1).max(64) });

export function iotMockService(app: FastifyInstance, _deps: HttpDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/devices/:id/readings',
    { schema: { tags, summary: 'Current readings of a device: its newest value of every field, flat, with status and enabled', security, params: idParam } },
    async (request) => {
      const id = encodeURIComponent(request.params.id);
      const device = ok(await forward(app, request, `/api/v1/devices/${id}`, { query: {} })).body as { id: string; status: string; online: boolean };
      const latest = ok(await forward(app, request, `/api/v1/telemetry/${id}/latest`, { query: {} })).body as { timestamp: string | null; values: Record<string, unknown> };
      return {
        ...latest.values,
        ...latest,
        device_id: device.id,
        status: device.online ? 'online' : 'offline',
        enabled: device.status === 'active',
      };
    },
  );

  r.post(
    '/api/v1/devices/:id/command',
    {
      schema: {
        tags,
        summary: 'Send a command to a device ({"command","parameters"}); same as POST /api/v1/devices/{id}/commands',
        security,
        params: idParam,
        body: z.object({ command: z.string(), parameters: z.record(z.string(), z.unknown()).optional() }).passthrough(),
      },
    },
    async (request, reply) => {
      const res = ok(await forward(app, request, `/api/v1/devices/${encodeURIComponent(request.params.id)}/commands`));
      return reply.code(res.status).send({ ...res.body, device_id: request.params.id, success: true, message: `Command ${request.body.command} sent` });
    },
  );
}

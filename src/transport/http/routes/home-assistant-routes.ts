// Whether Home Assistant discovery announces a device (docs/home-assistant.md), for the device page.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorResponse } from '../../../contract/http/common.ts';
import { deviceIdParam } from '../../../contract/http/devices.ts';
import { haStatusView } from '../../../contract/http/home-assistant.ts';
import { HA_METADATA_KEY, haDiscoveryFor } from '../../../contract/home-assistant/ha-discovery-mode.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireUser } from '../request-auth.ts';

export function homeAssistantRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/devices/:id/home-assistant',
    {
      schema: {
        tags: ['devices'],
        summary: 'Whether Home Assistant MQTT discovery announces this device',
        security: [{ bearer: [] }],
        params: deviceIdParam,
        response: { 200: haStatusView, 404: errorResponse },
      },
    },
    async (request) => {
      const device = await deps.access.require(await requireUser(deps.auth, request), request.params.id, 'read');
      const { mode, prefix } = deps.homeAssistant;
      return { discovery: mode, discovery_prefix: prefix, announced: haDiscoveryFor(mode, device.metadata), metadata_key: HA_METADATA_KEY };
    },
  );
}

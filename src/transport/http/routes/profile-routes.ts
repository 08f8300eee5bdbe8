// Device profiles: built-ins and users' own under /api/v1/profiles, and the profile of a device.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponse } from '../../../contract/http/common.ts';
import { deviceIdParam } from '../../../contract/http/devices.ts';
import { copyProfileBody, deviceProfileView, profileIdParam } from '../../../contract/http/profiles.ts';
import { profileDefinition, profileView } from '../../../contract/profiles/profile.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireUser } from '../request-auth.ts';

export function profileRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['profiles'];
  const security = [{ bearer: [] }];
  const user = (request: Parameters<typeof requireUser>[1]) => requireUser(deps.auth, request);

  r.get(
    '/api/v1/profiles',
    { schema: { tags, summary: 'Built-in profiles, then your own (every user\'s for an admin)', security, response: { 200: z.object({ profiles: z.array(profileView) }) } } },
    async (request) => ({ profiles: await deps.profiles.list(await user(request)) }),
  );

  r.get(
    '/api/v1/profiles/:id',
    { schema: { tags, summary: 'A profile', security, params: profileIdParam, response: { 200: profileView, 404: errorResponse } } },
    async (request) => deps.profiles.get(await user(request), request.params.id),
  );

  r.post(
    '/api/v1/profiles',
    { schema: { tags, summary: 'Create a profile of your own for a device type', security, body: profileDefinition, response: { 201: profileView, 409: errorResponse } } },
    async (request, reply) => reply.code(201).send(await deps.profiles.create(await user(request), request.body)),
  );

  r.post(
    '/api/v1/profiles/:id/copy',
    { schema: { tags, summary: 'Copy a profile (built-in or yours) into a new one of yours', security, params: profileIdParam, body: copyProfileBody, response: { 201: profileView, 404: errorResponse, 409: errorResponse } } },
    async (request, reply) => reply.code(201).send(await deps.profiles.copy(await user(request), request.params.id, request.body)),
  );

  r.put(
    '/api/v1/profiles/:id',
    { schema: { tags, summary: 'Replace one of your profiles (built-ins cannot be changed: copy them)', security, params: profileIdParam, body: profileDefinition, response: { 200: profileView, 403: errorResponse, 404: errorResponse, 409: errorResponse } } },
    async (request) => deps.profiles.update(await user(request), request.params.id, request.body),
  );

  r.delete(
    '/api/v1/profiles/:id',
    { schema: { tags, summary: 'Delete one of your profiles; its devices fall back to the built-in profile of their type, if any', security, params: profileIdParam } },
    async (request, reply) => {
      await deps.profiles.remove(await user(request), request.params.id);
      return reply.code(204).send();
    },
  );

  r.get(
    '/api/v1/devices/:id/profile',
    { schema: { tags, summary: 'The profile describing a device, and the fields it sends that the profile does not know', security, params: deviceIdParam, response: { 200: deviceProfileView, 404: errorResponse } } },
    async (request) => {
      const principal = await user(request);
      const device = await deps.access.require(principal, request.params.id, 'read');
      const [{ profile, unprofiledFields }, access] = await Promise.all([deps.profiles.ofDevice(device), deps.access.held(principal, device)]);
      return { device_id: device.id, device_type: device.deviceType, profile: profile ?? null, unprofiled_fields: unprofiledFields, access: access ?? 'read' };
    },
  );
}

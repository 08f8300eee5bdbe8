import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assignBody, grantBody, grantParams, grantView, setLevelBody, unassignQuery } from '../../../contract/http/access.ts';
import { errorResponse, pagination } from '../../../contract/http/common.ts';
import { deviceIdParam, deviceView } from '../../../contract/http/devices.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireUser } from '../request-auth.ts';
import { deviceToView, grantToView } from '../views.ts';

export function accessRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['sharing'];
  const security = [{ bearer: [] }];

  r.post(
    '/api/v1/devices/:id/access',
    {
      schema: {
        tags,
        summary: 'Share a device with a user at level read or control (owner or admin)',
        security,
        params: deviceIdParam,
        body: grantBody,
        response: { 201: grantView, 404: errorResponse },
      },
    },
    async (request, reply) => {
      const principal = await requireUser(deps.auth, request);
      const b = request.body;
      const grant = await deps.sharing.grant(principal, request.params.id, { userId: b.user_id, username: b.username }, b.level);
      return reply.code(201).send(grantToView(grant));
    },
  );

  r.get(
    '/api/v1/devices/:id/access',
    { schema: { tags, summary: 'Who a device is shared with (owner or admin)', security, params: deviceIdParam, response: { 200: z.array(grantView) } } },
    async (request) => (await deps.sharing.list(await requireUser(deps.auth, request), request.params.id)).map(grantToView),
  );

  r.put(
    '/api/v1/devices/:id/access/:user_id',
    { schema: { tags, summary: "Change a user's level on a device (owner or admin)", security, params: grantParams, body: setLevelBody, response: { 200: grantView } } },
    async (request) => {
      const principal = await requireUser(deps.auth, request);
      return grantToView(await deps.sharing.grant(principal, request.params.id, { userId: request.params.user_id }, request.body.level));
    },
  );

  r.delete(
    '/api/v1/devices/:id/access/:user_id',
    { schema: { tags, summary: 'Stop sharing a device with a user (owner or admin; a user may drop their own access)', security, params: grantParams } },
    async (request, reply) => {
      await deps.sharing.revoke(await requireUser(deps.auth, request), request.params.id, request.params.user_id);
      return reply.code(204).send();
    },
  );

  // Seed 004's assignment endpoints, as aliases of the above.
  r.post(
    '/api/v1/mappings/assign',
    { schema: { tags, summary: 'Assign a device to a user (the Energy Management System path; alias of POST /devices/{id}/access; default level control)', security, body: assignBody, response: { 201: grantView } } },
    async (request, reply) => {
      const principal = await requireUser(deps.auth, request);
      const b = request.body;
      return reply.code(201).send(grantToView(await deps.sharing.grant(principal, b.device_id, { userId: b.user_id }, b.level)));
    },
  );

  r.delete(
    '/api/v1/mappings/unassign/:id',
    {
      schema: {
        tags,
        summary: 'Unassign a device from a user, or from every user when user_id is absent (Energy Management System)',
        security,
        params: deviceIdParam,
        querystring: unassignQuery,
        response: { 200: z.object({ unassigned: z.number() }) },
      },
    },
    async (request) => {
      const principal = await requireUser(deps.auth, request);
      const userId = request.query.user_id;
      if (userId) {
        await deps.sharing.revoke(principal, request.params.id, userId);
        return { unassigned: 1 };
      }
      return { unassigned: await deps.sharing.revokeAll(principal, request.params.id) };
    },
  );

  r.get(
    '/api/v1/mappings',
    {
      schema: {
        tags,
        summary: 'Every device share on the platform (admin; Energy Management System)',
        security,
        querystring: z.object(pagination),
        response: { 200: z.object({ mappings: z.array(grantView), total: z.number() }) },
      },
    },
    async (request) => {
      const page = await deps.sharing.listAll(await requireUser(deps.auth, request), request.query);
      return { mappings: page.items.map(grantToView), total: page.total };
    },
  );

  r.get(
    '/api/v1/mappings/user/:user_id/devices',
    {
      schema: {
        tags,
        summary: 'The devices a user owns or has been assigned (yourself, or anyone for admins; Energy Management System)',
        security,
        params: z.object({ user_id: z.string().min(1).max(100) }),
        querystring: z.object(pagination),
        response: { 200: z.object({ devices: z.array(deviceView), total: z.number() }) },
      },
    },
    async (request) => {
      const principal = await requireUser(deps.auth, request);
      const page = await deps.sharing.devicesOf(principal, request.params.user_id, request.query);
      return { devices: page.items.map((d) => deviceToView(d, deps.options.offlineAfterMs)), total: page.total };
    },
  );
}

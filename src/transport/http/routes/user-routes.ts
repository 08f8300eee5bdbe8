import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FluxgateError } from '../../../contract/errors.ts';
import { createdUserView, userView } from '../../../contract/http/auth.ts';
import { errorResponse } from '../../../contract/http/common.ts';
import {
  changePasswordBody,
  createUserBody,
  deleteUserQuery,
  deleteUserResponse,
  listUsersQuery,
  updateMeBody,
  updateUserBody,
  userIdParam,
} from '../../../contract/http/users.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireAdmin, requireUser } from '../request-auth.ts';
import { createdUserToView, userToView } from '../views.ts';

export function userRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['users'];
  const security = [{ bearer: [] }];
  const admin = async (request: Parameters<typeof requireUser>[1]) => {
    const principal = await requireUser(deps.auth, request);
    requireAdmin(principal);
    return principal;
  };

  r.get('/api/v1/users/me', { schema: { tags, summary: 'Your profile', security, response: { 200: userView } } }, async (request) =>
    userToView(await deps.auth.me(await requireUser(deps.auth, request))),
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    r.route({
      method,
      url: '/api/v1/users/me',
      schema: { tags, summary: 'Change your username or email', security, body: updateMeBody, response: { 200: userView, 409: errorResponse } },
      handler: async (request) => {
        const principal = await requireUser(deps.auth, request);
        return userToView(await deps.users.updateProfile(principal, request.body));
      },
    });
  }

  for (const method of ['PUT', 'POST'] as const) {
    r.route({
      method,
      url: '/api/v1/users/me/password',
      schema: {
        tags,
        summary: 'Change your password; every session of yours ends (log in again)',
        security,
        body: changePasswordBody,
      },
      handler: async (request, reply) => {
        const principal = await requireUser(deps.auth, request);
        await deps.users.changePassword(principal, request.body.current_password, request.body.new_password);
        return reply.code(204).send();
      },
    });
  }

  r.get(
    '/api/v1/users',
    {
      schema: {
        tags,
        summary: 'List users (admin)',
        security,
        querystring: listUsersQuery,
        response: { 200: z.object({ users: z.array(userView), total: z.number(), limit: z.number(), offset: z.number() }) },
      },
    },
    async (request) => {
      await admin(request);
      const q = request.query;
      const page = await deps.users.list({ ...(q.q ? { text: q.q } : {}), ...(q.role ? { role: q.role } : {}), limit: q.limit, offset: q.offset });
      return { users: page.items.map(userToView), total: page.total, limit: q.limit, offset: q.offset };
    },
  );

  r.post(
    '/api/v1/users',
    { schema: { tags, summary: 'Create a user (admin)', security, body: createUserBody, response: { 201: createdUserView, 409: errorResponse } } },
    async (request, reply) => {
      const principal = await admin(request);
      return reply.code(201).send(createdUserToView(await deps.users.create(principal, request.body)));
    },
  );

  r.get(
    '/api/v1/users/:id',
    { schema: { tags, summary: 'Get a user (yourself, or anyone for admins)', security, params: userIdParam, response: { 200: userView, 404: errorResponse } } },
    async (request) => {
      const principal = await requireUser(deps.auth, request);
      if (principal.userId !== request.params.id) requireAdmin(principal);
      return userToView(await deps.users.get(request.params.id));
    },
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    r.route({
      method,
      url: '/api/v1/users/:id',
      schema: {
        tags,
        summary:
          'Update a user (admin): username, email, role, is_active, password; a deactivation, role change or password reset ends their sessions. Yourself (IoTFlow): username and email only',
        security,
        params: userIdParam,
        body: updateUserBody,
        response: { 200: userView, 404: errorResponse, 409: errorResponse },
      },
      handler: async (request) => {
        const principal = await requireUser(deps.auth, request);
        const b = request.body;
        if (principal.role !== 'admin' && principal.userId === request.params.id) {
          if (b.role !== undefined || b.is_active !== undefined || b.password !== undefined) {
            throw new FluxgateError('FORBIDDEN', 'You may change your own username and email here; the password at /users/me/password');
          }
          return userToView(await deps.users.updateProfile(principal, { username: b.username, email: b.email }));
        }
        requireAdmin(principal);
        return userToView(
          await deps.users.update(principal, request.params.id, {
            username: b.username,
            email: b.email,
            role: b.role,
            isActive: b.is_active,
            password: b.password,
          }),
        );
      },
    });
  }

  for (const [action, isActive] of [
    ['deactivate', false],
    ['activate', true],
  ] as const) {
    r.post(
      `/api/v1/users/:id/${action}`,
      { schema: { tags, summary: `${action === 'deactivate' ? 'Deactivate' : 'Reactivate'} a user (admin)`, security, params: userIdParam, response: { 200: userView } } },
      async (request) => userToView(await deps.users.update(await admin(request), request.params.id, { isActive })),
    );
  }

  r.delete(
    '/api/v1/users/:id',
    {
      schema: {
        tags,
        summary: 'Delete a user (admin). If they own devices, say devices=transfer (to transfer_to, default you) or devices=delete',
        security,
        params: userIdParam,
        querystring: deleteUserQuery,
        response: { 200: deleteUserResponse, 404: errorResponse, 409: errorResponse },
      },
    },
    async (request) => {
      const principal = await admin(request);
      const q = request.query;
      const disposal = q.devices === 'delete' ? { mode: 'delete' as const } : q.devices === 'transfer' ? { mode: 'transfer' as const, toUserId: q.transfer_to } : undefined;
      const result = await deps.users.remove(principal, request.params.id, disposal);
      return { deleted: true as const, devices: result.devices, devices_mode: result.mode, ...(result.toUserId ? { transfer_to: result.toUserId } : {}) };
    },
  );

  r.post(
    '/api/v1/users/:id/sessions/revoke',
    {
      schema: {
        tags,
        summary: "Revoke every session of a user (admin): refresh tokens and the access tokens issued so far",
        security,
        params: userIdParam,
        response: { 200: z.object({ revoked_refresh_tokens: z.number() }) },
      },
    },
    async (request) => {
      const principal = await admin(request);
      await deps.users.get(request.params.id);
      return { revoked_refresh_tokens: await deps.auth.revokeAllSessions(principal, request.params.id) };
    },
  );
}

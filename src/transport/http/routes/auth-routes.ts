import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { FluxgateError } from '../../../contract/errors.ts';
import { loginBody, loginResponse, registerBody, userView } from '../../../contract/http/auth.ts';
import { errorResponse } from '../../../contract/http/common.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireUser } from '../request-auth.ts';
import { userToView } from '../views.ts';

export function authRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['auth'];

  r.post(
    '/api/v1/auth/register',
    { schema: { tags, summary: 'Create an account', body: registerBody, response: { 201: userView, 409: errorResponse } } },
    async (request, reply) => {
      if (!deps.options.allowRegistration) throw new FluxgateError('REGISTRATION_DISABLED');
      const user = await deps.auth.register(request.body);
      return reply.code(201).send(userToView(user));
    },
  );

  r.post(
    '/api/v1/auth/login',
    { schema: { tags, summary: 'Log in; returns a JWT access token', body: loginBody, response: { 200: loginResponse, 401: errorResponse } } },
    async (request) => {
      const result = await deps.auth.login(request.body.username, request.body.password);
      return {
        access_token: result.accessToken,
        token_type: 'Bearer' as const,
        expires_in: result.expiresIn,
        user: userToView(result.user),
      };
    },
  );

  r.get(
    '/api/v1/auth/me',
    { schema: { tags, summary: 'The logged-in user', security: [{ bearer: [] }], response: { 200: userView, 401: errorResponse } } },
    async (request) => userToView(await deps.auth.me(await requireUser(deps.auth, request))),
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FluxgateError, isFluxgateError } from '../../../contract/errors.ts';
import { createdUserView, loginBody, loginResponse, logoutBody, refreshBody, registerBody, userView } from '../../../contract/http/auth.ts';
import { errorResponse } from '../../../contract/http/common.ts';
import type { LoginResult } from '../../../services/auth-service.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireUser } from '../request-auth.ts';
import { createdUserToView, type LoginView, userToView } from '../views.ts';

function sessionView(result: LoginResult): LoginView {
  return {
    access_token: result.accessToken,
    token_type: 'Bearer' as const,
    expires_in: result.expiresIn,
    refresh_token: result.refreshToken,
    refresh_expires_in: result.refreshExpiresIn,
    user: userToView(result.user),
  };
}

export function authRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['auth'];
  const security = [{ bearer: [] }];

  r.post(
    '/api/v1/auth/register',
    {
      schema: { tags, summary: 'Create an account (rate limit "register" per IP)', body: registerBody, response: { 201: createdUserView, 409: errorResponse, 429: errorResponse } },
    },
    async (request, reply) => {
      await deps.limits.consume('register', request.ip);
      if (!deps.options.allowRegistration) throw new FluxgateError('REGISTRATION_DISABLED');
      const user = await deps.auth.signUp(request.body);
      return reply.code(201).send(createdUserToView(user));
    },
  );

  r.post(
    '/api/v1/auth/login',
    {
      schema: {
        tags,
        summary: 'Log in; returns a short-lived JWT access token and a rotating refresh token (rate limit "login": failed attempts per IP)',
        body: loginBody,
        response: { 200: loginResponse, 401: errorResponse, 429: errorResponse },
      },
    },
    async (request) => {
      // Only failures count, so people who type their password right are never slowed down.
      await deps.limits.check('login', request.ip);
      try {
        return sessionView(await deps.auth.login(request.body.username, request.body.password));
      } catch (err) {
        if (isFluxgateError(err) && err.code === 'INVALID_CREDENTIALS') await deps.limits.consume('login', request.ip).catch(() => {});
        throw err;
      }
    },
  );

  r.post(
    '/api/v1/auth/refresh',
    {
      schema: {
        tags,
        summary: 'Trade a refresh token for a new access and refresh token; the old refresh token is spent (a reuse revokes the session)',
        body: refreshBody,
        response: { 200: loginResponse, 401: errorResponse },
      },
    },
    async (request) => sessionView(await deps.auth.refreshSession(request.body.refresh_token)),
  );

  r.post(
    '/api/v1/auth/logout',
    { schema: { tags, summary: 'End the session of a refresh token (idempotent)', body: logoutBody } },
    async (request, reply) => {
      const token = request.body?.refresh_token;
      if (token) await deps.auth.logout(token);
      return reply.code(204).send();
    },
  );

  r.post(
    '/api/v1/auth/logout-all',
    {
      schema: {
        tags,
        summary: 'Log out everywhere: every refresh token of yours is revoked and access tokens issued so far stop working',
        security,
        response: { 200: z.object({ revoked_refresh_tokens: z.number() }) },
      },
    },
    async (request) => {
      const principal = await requireUser(deps.auth, request);
      return { revoked_refresh_tokens: await deps.auth.revokeAllSessions(principal, principal.userId) };
    },
  );

  r.get(
    '/api/v1/auth/me',
    { schema: { tags, summary: 'The logged-in user', security, response: { 200: userView, 401: errorResponse } } },
    async (request) => userToView(await deps.auth.me(await requireUser(deps.auth, request))),
  );
}

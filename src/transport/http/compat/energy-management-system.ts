// The Energy Management System's API as its React frontend calls it through its gateway:
// /api/auth/*, /api/users/*, /api/devices/*, /api/mappings/* and /api/monitoring/*, each our
// /api/v1 endpoint at the unversioned path. Its JWTs become Fluxgate access tokens (the same
// `Authorization: Bearer`); login also answers with its `access`/`refresh` names. Its saga
// rollback has nothing to undo here: user creation is one transaction.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { COMPAT_SYSTEMS } from '../../../contract/compat-systems.ts';
import { FluxgateError } from '../../../contract/errors.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireUser } from '../request-auth.ts';
import { type Alias, registerAliases } from './alias.ts';
import { readingsOf, visibleDevices } from './device-readings.ts';
import { forward, ok } from './forward.ts';

const tags = [COMPAT_SYSTEMS['energy-management-system']];

interface UserView {
  id: string;
  role: string;
}

/** Its role names: ADMIN / CLIENT beside ours. */
const withEmsRole = <T extends UserView>(u: T) => ({ ...u, user_role: u.role === 'admin' ? 'ADMIN' : 'CLIENT' });

const deleted = (what: string) => ({ status: 200, body: (request: { params: unknown }) => ({ message: `${what} deleted`, id: (request.params as { id: string }).id }) });

const ALIASES: readonly Alias[] = [
  { method: 'POST', url: '/api/auth/register', target: '/api/v1/auth/register', summary: 'Register a user', map: withEmsRole },
  {
    method: 'POST',
    url: '/api/auth/login',
    target: '/api/v1/auth/login',
    summary: 'Log in; answers with access/refresh as well as our token fields',
    map: (b) => ({ ...b, access: b.access_token, refresh: b.refresh_token, user: withEmsRole(b.user) }),
  },
  { method: 'GET', url: '/api/auth/validate', target: '/api/v1/auth/me', summary: 'Validate the access token', map: (b) => ({ valid: true, user: withEmsRole(b) }) },
  { method: 'GET', url: '/api/auth/users', target: '/api/v1/users', summary: 'List users (admin)' },
  { method: 'PUT', url: '/api/auth/users/:id', target: '/api/v1/users/:id', summary: 'Update a user (admin)', map: withEmsRole },
  { method: 'DELETE', url: '/api/auth/users/:id', target: '/api/v1/users/:id', summary: 'Delete a user (admin)', emptyAs: deleted('User') },
  { method: 'POST', url: '/api/users', target: '/api/v1/users', summary: 'Create a user (admin)', map: withEmsRole },
  { method: 'GET', url: '/api/users', target: '/api/v1/users', summary: 'List users (admin)' },
  { method: 'GET', url: '/api/users/:id', target: '/api/v1/users/:id', summary: 'A user', map: withEmsRole },
  { method: 'PUT', url: '/api/users/:id', target: '/api/v1/users/:id', summary: 'Update a user (admin)', map: withEmsRole },
  { method: 'DELETE', url: '/api/users/:id', target: '/api/v1/users/:id', summary: 'Delete a user (admin)', emptyAs: deleted('User') },
  { method: 'POST', url: '/api/devices', target: '/api/v1/devices', summary: 'Create a device' },
  { method: 'GET', url: '/api/devices', target: '/api/v1/devices', summary: 'Devices you may see (admins: all)' },
  { method: 'GET', url: '/api/devices/:id', target: '/api/v1/devices/:id', summary: 'A device' },
  { method: 'PUT', url: '/api/devices/:id', target: '/api/v1/devices/:id', summary: 'Update a device' },
  { method: 'DELETE', url: '/api/devices/:id', target: '/api/v1/devices/:id', summary: 'Delete a device with its data', options: () => ({ query: { confirm: 'true' } }), emptyAs: deleted('Device') },
  { method: 'POST', url: '/api/mappings/assign', target: '/api/v1/mappings/assign', summary: 'Assign a device to a user (admin or owner)' },
  { method: 'DELETE', url: '/api/mappings/unassign/:device_id', target: '/api/v1/mappings/unassign/:device_id', summary: 'Unassign a device', emptyAs: { status: 200, body: (request) => ({ message: 'Device unassigned', device_id: (request.params as { device_id: string }).device_id }) } },
  { method: 'GET', url: '/api/mappings/user/:user_id/devices', target: '/api/v1/mappings/user/:user_id/devices', summary: "A user's devices" },
  { method: 'GET', url: '/api/mappings', target: '/api/v1/mappings', summary: 'All mappings' },
  { method: 'GET', url: '/api/monitoring/hourly/daily', target: '/api/v1/energy/hourly', summary: 'Hourly consumption of one day (?device_id=&date=YYYY-MM-DD)' },
  { method: 'GET', url: '/api/monitoring/devices', target: '/api/v1/devices', summary: 'Devices you may see' },
  { method: 'GET', url: '/api/monitoring/users', target: '/api/v1/users', summary: 'Users (admin)' },
];

export function energyManagementSystem(app: FastifyInstance, deps: HttpDeps): void {
  registerAliases(app, tags, ALIASES);
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/monitoring/hourly/range',
    {
      schema: {
        tags,
        summary: 'Consumption per day over a date range (GET /api/v1/energy/daily)',
        security: [{ bearer: [] }],
        querystring: z.object({
          device_id: z.string().max(64).optional(),
          start_date: z.string().max(10).optional(),
          end_date: z.string().max(10).optional(),
          start: z.string().max(10).optional(),
          end: z.string().max(10).optional(),
          tz: z.string().max(64).optional(),
        }),
      },
    },
    async (request) => {
      const q = request.query;
      const start = q.start_date ?? q.start;
      const end = q.end_date ?? q.end;
      if (!start || !end) throw new FluxgateError('VALIDATION_FAILED', 'Send start_date and end_date as YYYY-MM-DD');
      return ok(await forward(app, request, '/api/v1/energy/daily', { query: { device_id: q.device_id, start, end, tz: q.tz } })).body;
    },
  );

  r.get(
    '/api/monitoring/measurements',
    {
      schema: {
        tags,
        summary: "Measurements of one device (?device_id=) or of every device you may see, newest first (limit per device)",
        security: [{ bearer: [] }],
        querystring: z.object({
          device_id: z.string().max(64).optional(),
          start_time: z.string().max(64).optional(),
          end_time: z.string().max(64).optional(),
          limit: z.coerce.number().int().min(1).max(10_000).default(100),
        }),
      },
    },
    async (request) => {
      const principal = await requireUser(deps.auth, request);
      const { device_id: deviceId, ...range } = request.query;
      const devices = deviceId ? [await deps.access.require(principal, deviceId, 'read')] : await visibleDevices(deps, principal);
      const measurements = (await readingsOf(deps, principal, devices, range)).flatMap(({ device, points }) =>
        points.map((p) => ({ device_id: device.id, timestamp: p.timestamp, field: p.field, measurement_value: p.value })),
      );
      return { count: measurements.length, measurements };
    },
  );

  r.delete(
    '/api/users/:id/rollback',
    { schema: { tags, summary: 'Not served: there is no saga to roll back (410 says what to do instead)', security: [{ bearer: [] }], params: z.object({ id: z.string().max(100) }) } },
    async (request) => {
      throw new FluxgateError(
        'SAGA_ROLLBACK_UNSUPPORTED',
        `Fluxgate creates a user in one transaction, so a failed registration leaves nothing to roll back. To remove user ${request.params.id}, an admin sends DELETE /api/users/${request.params.id} (or DELETE /api/v1/users/${request.params.id})`,
      );
    },
  );
}

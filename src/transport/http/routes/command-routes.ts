// Commands and desired state: users with control send and set; devices fetch and ack over HTTP.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { commandAckBody, commandView, createCommandBody, listCommandsQuery, putStateBody, stateView } from '../../../contract/http/commands.ts';
import { deviceIdParam } from '../../../contract/http/devices.ts';
import type { Command } from '../../../domain/command.ts';
import type { DeviceStateView } from '../../../services/command-service.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireDevice, requireUser } from '../request-auth.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function commandToView(c: Command): z.output<typeof commandView> {
  return {
    id: c.id,
    device_id: c.deviceId,
    command: c.command,
    parameters: c.parameters,
    status: c.status,
    created_by: c.createdBy,
    created_at: iso(c.createdAt),
    expires_at: iso(c.expiresAt),
    delivered_at: isoOrNull(c.deliveredAt),
    completed_at: isoOrNull(c.completedAt),
    result: c.result,
    error: c.error,
  };
}

function stateToView(deviceId: string, s: DeviceStateView): z.output<typeof stateView> {
  return { device_id: deviceId, desired: s.desired, reported: s.reported, delta: s.delta, version: s.version, updated_at: isoOrNull(s.updatedAt) };
}

export function commandRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['commands and state'];
  const security = [{ bearer: [] }];
  const deviceSecurity = [{ apiKey: [] }];
  const commandParams = deviceIdParam.extend({ commandId: deviceIdParam.shape.id });

  r.post(
    '/api/v1/devices/:id/commands',
    {
      schema: {
        tags,
        summary: 'Send a command (owner, admin, or a control grant)',
        description:
          'Stored as pending and published on devices/{id}/commands. Delivery is at least once: a command still pending COMMAND_RESEND_AFTER_MS after creation is sent again, so a device acts on each command id once.',
        security,
        params: deviceIdParam,
        body: createCommandBody,
        response: { 201: commandView },
      },
    },
    async (request, reply) => {
      const principal = await requireUser(deps.auth, request);
      const b = request.body;
      const command = await deps.commands.send(principal, request.params.id, { command: b.command, parameters: b.parameters, timeoutS: b.timeout_s });
      return reply.code(201).send(commandToView(command));
    },
  );

  r.get(
    '/api/v1/devices/:id/commands',
    { schema: { tags, summary: 'Commands of a device, newest first', security, params: deviceIdParam, querystring: listCommandsQuery, response: { 200: commandView.array() } } },
    async (request) => {
      const principal = await requireUser(deps.auth, request);
      return (await deps.commands.list(principal, request.params.id, request.query)).map(commandToView);
    },
  );

  r.get(
    '/api/v1/devices/:id/commands/:commandId',
    { schema: { tags, summary: 'One command and its status', security, params: commandParams, response: { 200: commandView } } },
    async (request) => commandToView(await deps.commands.get(await requireUser(deps.auth, request), request.params.id, request.params.commandId)),
  );

  r.put(
    '/api/v1/devices/:id/state',
    { schema: { tags, summary: 'Set desired state (merged; null removes a member) (owner, admin, or a control grant)', security, params: deviceIdParam, body: putStateBody, response: { 200: stateView } } },
    async (request) => {
      const principal = await requireUser(deps.auth, request);
      await deps.commands.putDesired(principal, request.params.id, request.body.desired);
      return stateToView(request.params.id, await deps.commands.stateOf(request.params.id));
    },
  );

  r.get(
    '/api/v1/devices/:id/state',
    { schema: { tags, summary: 'Desired, reported (latest telemetry) and delta', security, params: deviceIdParam, response: { 200: stateView } } },
    async (request) => stateToView(request.params.id, await deps.commands.state(await requireUser(deps.auth, request), request.params.id)),
  );

  r.get(
    '/api/v1/devices/commands',
    { schema: { tags: ['device side'], summary: 'The calling device fetches its open commands (marks them delivered)', security: deviceSecurity, response: { 200: commandView.array() } } },
    async (request) => (await deps.commands.fetchOpen(await requireDevice(deps.keys, request))).map(commandToView),
  );

  r.post(
    '/api/v1/devices/commands/:commandId/ack',
    {
      schema: {
        tags: ['device side'],
        summary: 'The calling device acks or fails a command',
        security: deviceSecurity,
        params: commandParams.pick({ commandId: true }),
        body: commandAckBody,
        response: { 200: commandView },
      },
    },
    async (request) => {
      const deviceId = await requireDevice(deps.keys, request);
      return commandToView(await deps.commands.ack(deviceId, { ...request.body, id: request.params.commandId }));
    },
  );

  r.get(
    '/api/v1/devices/state',
    { schema: { tags: ['device side'], summary: "The calling device's desired state and delta", security: deviceSecurity, response: { 200: stateView } } },
    async (request) => {
      const deviceId = await requireDevice(deps.keys, request);
      return stateToView(deviceId, await deps.commands.stateOf(deviceId));
    },
  );
}

// The simulation control API of the embedded simulator (seeds 001 and 002), admin only:
// GET /api/v1/simulation/status, POST /api/v1/simulation/start|stop,
// POST /api/v1/devices/{id}/simulate, POST /api/v1/simulation/generate?num_devices=5&days=7.
// Registered by the cli (which wires the simulator to the platform) before the server listens.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FluxgateError } from '../contract/errors.ts';
import { errorResponse } from '../contract/http/common.ts';
import { deviceIdParam } from '../contract/http/devices.ts';
import type { EmbeddedSimulator } from '../simulator/embedded.ts';
import type { AuthService } from '../services/auth-service.ts';
import { bearerToken, requireAdmin, requireUser } from '../transport/http/request-auth.ts';

const statusView = z.object({
  running: z.boolean(),
  transport: z.enum(['mqtt', 'http']),
  devices: z.array(z.object({ id: z.string(), type: z.string(), online: z.boolean() })),
  scheduled_rate: z.number().describe('Messages per second the schedule asks for'),
  counters: z.record(z.string(), z.number()),
  started_at: z.string().nullable(),
});

export function simulationRoutes(app: FastifyInstance, auth: AuthService, simulator: () => EmbeddedSimulator | undefined): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['simulation'];
  const security = [{ bearer: [] }];

  async function admin(request: FastifyRequest): Promise<EmbeddedSimulator> {
    requireAdmin(await requireUser(auth, request));
    const sim = simulator();
    if (!sim) throw new FluxgateError('SIMULATION_NOT_RUNNING', 'The platform was started without --demo (DEMO=true)');
    return sim;
  }

  r.get('/api/v1/simulation/status', { schema: { tags, summary: 'Embedded simulator state and counters', security, response: { 200: statusView, 409: errorResponse } } }, async (request) =>
    (await admin(request)).status(),
  );

  for (const action of ['start', 'stop'] as const) {
    r.post(`/api/v1/simulation/${action}`, { schema: { tags, summary: `${action === 'start' ? 'Start' : 'Stop'} the embedded simulator`, security, response: { 200: statusView } } }, async (request) => {
      const sim = await admin(request);
      await (action === 'start' ? sim.start() : sim.stop());
      return sim.status();
    });
  }

  r.post(
    '/api/v1/devices/:id/simulate',
    {
      schema: {
        tags,
        summary: 'Send one simulated message from this device now (IoT Mock Service)',
        security,
        params: deviceIdParam,
        response: { 200: z.object({ device_id: z.string(), outcome: z.string(), reading: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])).optional() }) },
      },
    },
    async (request) => {
      const sim = await admin(request);
      if (!sim.running) throw new FluxgateError('SIMULATION_NOT_RUNNING');
      const e = await sim.simulateOnce(request.params.id);
      if (!e) throw new FluxgateError('DEVICE_NOT_FOUND', `${request.params.id} is not a simulated device`);
      return { device_id: request.params.id, outcome: e.kind, ...(e.kind === 'message' ? { reading: e.reading } : {}) };
    },
  );

  r.post(
    '/api/v1/simulation/generate',
    {
      schema: {
        tags,
        summary: 'Create devices of the Smart Home IoT Data Service device types and back-fill their history',
        security,
        querystring: z.object({
          num_devices: z.coerce.number().int().min(1).max(100).default(5),
          days: z.coerce.number().min(0.01).max(31).default(7),
        }),
        response: { 201: z.object({ devices: z.array(z.object({ id: z.string(), type: z.string() })), messages: z.number() }) },
      },
    },
    async (request, reply) => {
      const sim = await admin(request);
      // The devices belong to the caller: the simulator provisions them with the caller's own token.
      const result = await sim.generate(bearerToken(request)!, request.query.num_devices, request.query.days);
      return reply.code(201).send(result);
    },
  );
}

// HTTP auth and ACL hooks for external brokers (EMQX HTTP authn/authz, mosquitto-go-auth's HTTP
// backend): the same MqttPolicy as the embedded broker. Allowed: 200 {"result":"allow"}; refused:
// 403 {"result":"deny"} (both brokers treat a non-2xx answer as a refusal).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HttpDeps } from '../http-deps.ts';

const hookAnswer = z.object({ result: z.enum(['allow', 'deny']), is_superuser: z.boolean().optional() });

const authBody = z.object({
  username: z.string().max(200).optional(),
  password: z.string().max(500).optional(),
  clientid: z.string().max(200).optional(),
});

const aclBody = z.object({
  username: z.string().max(200).optional(),
  clientid: z.string().max(200).optional(),
  topic: z.string().min(1).max(1000),
  action: z.enum(['publish', 'subscribe']).optional().describe('EMQX style'),
  acc: z.coerce.number().int().optional().describe('mosquitto-go-auth style: 1 read, 2 write, 3 read+write, 4 subscribe'),
});

export function mqttHookRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const policy = deps.mqttPolicy;
  if (!policy) return;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['mqtt broker hooks'];

  r.post(
    '/api/v1/mqtt/auth',
    { schema: { tags, summary: 'May this username/password connect? (device id + API key, or an admin)', body: authBody, response: { 200: hookAnswer, 403: hookAnswer } } },
    async (request, reply) => {
      const who = await policy.identify(request.body.username, request.body.password);
      if (!who) {
        deps.metrics.mqttRefused.inc({ action: 'connect' });
        return reply.code(403).send({ result: 'deny' });
      }
      return { result: 'allow' as const, is_superuser: who.kind === 'admin' };
    },
  );

  r.post(
    '/api/v1/mqtt/acl',
    { schema: { tags, summary: 'May this user publish or subscribe to this topic?', body: aclBody, response: { 200: hookAnswer, 403: hookAnswer } } },
    async (request, reply) => {
      const b = request.body;
      const action = b.action ?? (b.acc === 2 ? 'publish' : b.acc === 4 || b.acc === 1 ? 'subscribe' : b.acc === 3 ? 'both' : undefined);
      const who = await policy.identifyName(b.username);
      const allowed =
        who !== undefined &&
        action !== undefined &&
        (action === 'both'
          ? policy.mayPublish(who, b.topic) && policy.maySubscribe(who, b.topic)
          : action === 'publish'
            ? policy.mayPublish(who, b.topic)
            : policy.maySubscribe(who, b.topic));
      if (!allowed) {
        deps.metrics.mqttRefused.inc({ action: action === 'publish' ? 'publish' : 'subscribe' });
        deps.logger.warn({ username: b.username, topic: b.topic, action }, 'MQTT ACL hook refused');
        return reply.code(403).send({ result: 'deny' });
      }
      return { result: 'allow' as const };
    },
  );
}

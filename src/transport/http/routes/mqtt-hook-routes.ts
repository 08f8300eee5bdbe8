// HTTP auth and ACL hooks for external brokers (EMQX HTTP authn/authz, mosquitto-go-auth's HTTP
// backend): the same MqttPolicy as the embedded broker. Allowed: 200 {"result":"allow"}; refused:
// 403 {"result":"deny"} (both brokers treat a non-2xx answer as a refusal).
// Registered only in external broker mode with MQTT_HOOK_SECRET. The broker proves itself with the
// secret before the body is even read, so every caller without it gets one and the same 401 whatever
// it asks: nobody else learns which credentials or device ids exist. Failed credential checks count
// against the `login` limit per username and per device address (when the broker sends it), as
// failed logins do, so the hook is no way around the login limit.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FluxgateError } from '../../../contract/errors.ts';
import { errorResponse } from '../../../contract/http/common.ts';
import { sameText } from '../../../services/mqtt-policy.ts';
import type { HttpDeps } from '../http-deps.ts';

const hookAnswer = z.object({ result: z.enum(['allow', 'deny']), is_superuser: z.boolean().optional() });

const authBody = z.object({
  username: z.string().max(200).optional(),
  password: z.string().max(500).optional(),
  clientid: z.string().max(200).optional(),
  peerhost: z.string().max(64).optional().describe('The device\'s address (EMQX ${peerhost}): failed checks also count against it'),
});

const aclBody = z.object({
  username: z.string().max(200).optional(),
  clientid: z.string().max(200).optional(),
  topic: z.string().min(1).max(1000),
  action: z.enum(['publish', 'subscribe']).optional().describe('EMQX style'),
  acc: z.coerce.number().int().optional().describe('mosquitto-go-auth style: 1 read, 2 write, 3 read+write, 4 subscribe'),
});

/**
 * The secret the caller presents: `Authorization: Bearer <secret>` (EMQX request headers),
 * `Authorization: Basic` with the secret as password (mosquitto-go-auth, whose Go HTTP client turns
 * user:secret@ in auth_opt_http_host into Basic auth), or `X-Fluxgate-Hook-Secret`.
 */
export function presentedHookSecret(request: FastifyRequest): string | undefined {
  const custom = request.headers['x-fluxgate-hook-secret'];
  if (typeof custom === 'string') return custom;
  const auth = request.headers.authorization;
  if (!auth) return undefined;
  const [scheme = '', value = ''] = auth.split(' ', 2);
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}

export function mqttHookRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const hooks = deps.mqttHooks;
  if (!hooks) return;
  const { policy, secret } = hooks;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['mqtt broker hooks'];
  const security = [{ bearer: [] }];

  const requireBroker = async (request: FastifyRequest): Promise<void> => {
    const presented = presentedHookSecret(request);
    if (presented !== undefined && sameText(presented, secret)) return;
    await deps.limits.check('login', request.ip);
    await deps.limits.consume('login', request.ip).catch(() => {});
    deps.metrics.mqttRefused.inc({ action: 'hook_secret' });
    throw new FluxgateError('UNAUTHENTICATED', 'The MQTT hook secret (MQTT_HOOK_SECRET) is missing or wrong');
  };

  r.post(
    '/api/v1/mqtt/auth',
    {
      onRequest: requireBroker,
      schema: {
        tags,
        security,
        summary: 'May this username/password connect? (device id + API key, or an admin; rate limit "login" on failures per username and peerhost)',
        body: authBody,
        response: { 200: hookAnswer, 401: errorResponse, 403: hookAnswer, 429: errorResponse },
      },
    },
    async (request, reply) => {
      const { username, password, peerhost } = request.body;
      const limitKeys = [`mqtt-user:${username ?? ''}`, ...(peerhost ? [peerhost] : [])];
      try {
        for (const key of limitKeys) await deps.limits.check('login', key);
      } catch (err) {
        deps.metrics.mqttRefused.inc({ action: 'connect_rate_limit' });
        throw err;
      }
      const who = await policy.identify(username, password);
      if (!who) {
        for (const key of limitKeys) await deps.limits.consume('login', key).catch(() => {});
        deps.metrics.mqttRefused.inc({ action: 'connect' });
        return reply.code(403).send({ result: 'deny' });
      }
      return { result: 'allow' as const, is_superuser: who.kind === 'admin' };
    },
  );

  r.post(
    '/api/v1/mqtt/acl',
    {
      onRequest: requireBroker,
      schema: {
        tags,
        security,
        summary: 'May this user publish or subscribe to this topic? (an unknown user and a forbidden topic get the same deny)',
        body: aclBody,
        response: { 200: hookAnswer, 401: errorResponse, 403: hookAnswer },
      },
    },
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

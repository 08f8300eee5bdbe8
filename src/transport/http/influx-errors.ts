// Errors of the InfluxDB write endpoints in the shape InfluxDB's clients read: 2.x
// `{"code":"invalid","message":"…"}`, 1.x `{"error":"…"}`. Fluxgate's own code rides along in the
// X-Fluxgate-Error header, so scripts can still match on it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toFluxgateError } from './error-handler.ts';

/** InfluxDB 2's error codes by HTTP status. */
const INFLUX_CODES: Record<number, string> = {
  400: 'invalid',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not found',
  405: 'method not allowed',
  408: 'invalid',
  413: 'request too large',
  415: 'unsupported media type',
  429: 'too many requests',
  503: 'unavailable',
};

export function influxErrorHandler(version: 1 | 2) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const fluxErr = toFluxgateError(err);
    if (fluxErr.code === 'INTERNAL') request.log.error({ err }, 'unhandled error');
    else if (fluxErr.status >= 500) request.log.warn({ err }, fluxErr.message);
    if (fluxErr.status === 503) void reply.header('retry-after', '1');
    const retry = (fluxErr.details as { retry_after_seconds?: number } | undefined)?.retry_after_seconds;
    if (fluxErr.code === 'RATE_LIMITED' && retry !== undefined) void reply.header('retry-after', String(retry));
    void reply.header('x-fluxgate-error', fluxErr.code);
    const body = version === 2 ? { code: INFLUX_CODES[fluxErr.status] ?? 'internal error', message: fluxErr.message } : { error: fluxErr.message };
    void reply.code(fluxErr.status).send(body);
  };
}

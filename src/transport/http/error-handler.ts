// The one place where errors become HTTP answers: catalogue codes to statuses, validation
// issues to messages naming the field, and never a stack trace to the client.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { type ErrorCode, FluxgateError, isFluxgateError } from '../../contract/errors.ts';
import { InvalidInputError, type InvalidInputKind } from '../../domain/errors.ts';

const INPUT_CODES: Record<InvalidInputKind, ErrorCode> = {
  telemetry: 'INVALID_TELEMETRY',
  time: 'INVALID_TIME',
  cursor: 'INVALID_CURSOR',
  validation: 'VALIDATION_FAILED',
};

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_BAD_URL: 'VALIDATION_FAILED',
  FST_ERR_ASYNC_CONSTRAINT: 'VALIDATION_FAILED',
};

export function toFluxgateError(err: unknown): FluxgateError {
  if (isFluxgateError(err)) return err;
  if (err instanceof InvalidInputError) {
    return new FluxgateError(INPUT_CODES[err.kind], err.message, err.field ? { field: err.field } : undefined);
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const issues = err.validation.map((v) => {
      const where = [err.validationContext, ...String(v.instancePath).split('/').filter(Boolean)].join('.');
      return { field: where, message: v.message ?? 'is not valid' };
    });
    const first = issues[0];
    return new FluxgateError('VALIDATION_FAILED', first ? `${first.field}: ${first.message}` : undefined, { issues });
  }
  const fe = err as Partial<FastifyError>;
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return new FluxgateError(mapped, mapped === 'PAYLOAD_TOO_LARGE' || mapped === 'INVALID_JSON' ? undefined : fe.message);
  if (err instanceof SyntaxError && fe.statusCode === 400) return new FluxgateError('INVALID_JSON');
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    if (fe.statusCode === 413) return new FluxgateError('PAYLOAD_TOO_LARGE');
    if (fe.statusCode === 415) return new FluxgateError('UNSUPPORTED_MEDIA_TYPE');
    return new FluxgateError('VALIDATION_FAILED', fe.message);
  }
  return new FluxgateError('INTERNAL');
}

/** `fallback` may answer a request no route matched (the dashboard's pages); true when it did. */
export function installErrorHandling(app: FastifyInstance, fallback?: (request: FastifyRequest, reply: FastifyReply) => boolean): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const fluxErr = toFluxgateError(err);
    if (fluxErr.status >= 500 && fluxErr.code === 'INTERNAL') request.log.error({ err }, 'unhandled error');
    else if (fluxErr.status >= 500) request.log.warn({ err }, fluxErr.message);
    if (fluxErr.code === 'RATE_LIMITED' && typeof fluxErr.details === 'object' && fluxErr.details !== null) {
      const retry = (fluxErr.details as { retry_after_seconds?: number }).retry_after_seconds;
      if (retry !== undefined) void reply.header('retry-after', String(retry));
    }
    if (fluxErr.status === 503) void reply.header('retry-after', '1');
    void reply.code(fluxErr.status).send(fluxErr.toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    if (fallback?.(request, reply)) return;
    const err = new FluxgateError('ROUTE_NOT_FOUND', `No endpoint ${request.method} ${request.url.split('?')[0]}`);
    void reply.code(err.status).send(err.toBody());
  });
}

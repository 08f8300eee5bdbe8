// The one place where errors become HTTP answers: catalogue codes to statuses, validation
// issues to messages naming the field, and never a stack trace to the client.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { type ErrorBody, type ErrorCode, FluxgateError, isFluxgateError } from '../../contract/errors.ts';
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
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_REQ_FILE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_FILES_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_PARTS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_FIELDS_LIMIT: 'PAYLOAD_TOO_LARGE',
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

/**
 * Answers requests Node's HTTP parser refused before Fastify saw them (malformed, too slow, headers
 * too large) with our error body, then closes the connection as Node would.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'REQUEST_TIMEOUT' : err.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE' : 'VALIDATION_FAILED';
  const error = new FluxgateError(code, code === 'VALIDATION_FAILED' ? 'The HTTP request is malformed' : undefined);
  const body = JSON.stringify(error.toBody());
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Body for errors the router raises before any route runs (FST_ERR_BAD_URL, FST_ERR_MAX_PARAM_LENGTH, …). */
export function frameworkErrorBody(err: FastifyError): ErrorBody {
  const message =
    err.code === 'FST_ERR_BAD_URL'
      ? 'The URL is not valid (bad percent-encoding)'
      : err.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? 'A path parameter is too long'
        : 'The request is not valid';
  return new FluxgateError('VALIDATION_FAILED', message).toBody();
}

/** `fallback` may answer a request no route matched (the dashboard's pages); true when it did. */
export function installErrorHandling(app: FastifyInstance, fallback?: (request: FastifyRequest, reply: FastifyReply) => boolean): void {
  // PostgreSQL text cannot hold NUL: refuse it in the URL before it reaches a query.
  app.addHook('onRequest', async (request) => {
    if (/%00/.test(request.url)) throw new FluxgateError('VALIDATION_FAILED', 'The URL must not contain NUL characters (%00)');
  });
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

// InfluxDB line protocol over HTTP: POST /api/v2/write and POST /write, as InfluxDB 2 and 1 serve
// them, so Telegraf and InfluxDB client libraries write to Fluxgate unchanged. 204 only after the
// points are committed; errors in InfluxDB's shape (influx-errors.ts). On with LINE_PROTOCOL_ENABLED.
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type ZodTypeProvider, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FluxgateError } from '../../../contract/errors.ts';
import { type Precision, influxV1Error, influxV2Error, lineProtocolBody, v1WriteQuery, v2WriteQuery } from '../../../contract/http/line-protocol.ts';
import { type LineWriter, ingestLineProtocol } from '../../../connectors/line-protocol/line-protocol-ingest.ts';
import type { HttpDeps } from '../http-deps.ts';
import { influxCredential } from '../influx-credentials.ts';
import { influxErrorHandler } from '../influx-errors.ts';

const gunzipAsync = promisify(gunzip);
const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function lineProtocolRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  await app.register(async (scope) => writeRoute(scope, deps, 2));
  await app.register(async (scope) => writeRoute(scope, deps, 1));
}

function writeRoute(scope: FastifyInstance, deps: HttpDeps, version: 1 | 2): void {
  scope.setErrorHandler(influxErrorHandler(version));
  // Line protocol comes as text/plain, or with no or any other type (curl's default is a form type).
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  const r = scope.withTypeProvider<ZodTypeProvider>();
  const errorShape = version === 2 ? influxV2Error : influxV1Error;
  r.post(
    version === 2 ? '/api/v2/write' : '/write',
    {
      schema: {
        tags: ['line protocol'],
        summary:
          version === 2
            ? 'Write InfluxDB line protocol (InfluxDB 2 API): 204 after the points are committed'
            : 'Write InfluxDB line protocol (InfluxDB 1.x API): 204 after the points are committed',
        description:
          'A line writes to the device named by its `device` tag; without one, to the device of the key, or (user token, which needs control access) to the device named by the measurement. ' +
          'Other tags become the points\' metadata. One bad line refuses the whole request (400, with its line number). See docs/line-protocol.md.',
        security: [{ influxToken: [] }, { apiKey: [] }],
        consumes: ['text/plain'],
        querystring: version === 2 ? v2WriteQuery : v1WriteQuery,
        body: lineProtocolBody,
        response: { 204: z.null().describe('Every point committed'), 400: errorShape, 401: errorShape, 403: errorShape, 404: errorShape, 413: errorShape, 429: errorShape, 503: errorShape },
      },
      // The body is checked by the line protocol parser; the query by its schema.
      validatorCompiler: (ctx) => (ctx.httpPart === 'body' ? (data: unknown) => ({ value: data }) : validatorCompiler(ctx as never)),
    },
    async (request, reply) => {
      const query = request.query as { precision: Precision; p?: string };
      const writer = await authenticate(deps, request, query);
      const text = await bodyText(request, deps.options.bodyLimitBytes);
      await ingestLineProtocol(deps.pipeline, text, query.precision, writer);
      return reply.code(204).send(null);
    },
  );
}

async function authenticate(deps: HttpDeps, request: FastifyRequest, query: { p?: string }): Promise<LineWriter> {
  const credential = influxCredential(request, query);
  if (!credential) throw new FluxgateError('UNAUTHENTICATED', 'Send Authorization: Token <device key or access token>');
  if (credential.kind === 'user-token') {
    const principal = await deps.auth.authenticate(credential.token);
    return {
      authorize: async (deviceId) => {
        await deps.access.require(principal, deviceId, 'control');
        await deps.limits.consume('ingest', deviceId);
      },
    };
  }
  // X-API-Key is already held to the brute-force limit by the server's hooks; the other forms here.
  if (!credential.fromApiKeyHeader) await deps.limits.check('api_key', request.ip);
  const keyDevice = await deps.keys.deviceFor(credential.key);
  if (!keyDevice) {
    if (!credential.fromApiKeyHeader) await deps.limits.consume('api_key', request.ip).catch(() => {});
    throw new FluxgateError('INVALID_API_KEY', 'The token is not a valid device key');
  }
  return {
    keyDevice,
    authorize: async (deviceId) => {
      if (deviceId !== keyDevice) throw new FluxgateError('FORBIDDEN', `the key of device ${keyDevice} may not write to device ${deviceId}`);
      await deps.limits.consume('ingest', deviceId);
    },
  };
}

async function bodyText(request: FastifyRequest, limitBytes: number): Promise<string> {
  let body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'gzip') {
    try {
      body = await gunzipAsync(body, { maxOutputLength: limitBytes });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new FluxgateError('PAYLOAD_TOO_LARGE', `the body is larger than ${limitBytes} bytes once decompressed (BODY_LIMIT_BYTES)`);
      }
      throw new FluxgateError('VALIDATION_FAILED', 'the body is not valid gzip (Content-Encoding: gzip)');
    }
  } else if (encoding !== 'identity') {
    throw new FluxgateError('UNSUPPORTED_MEDIA_TYPE', `Content-Encoding ${encoding.slice(0, 40)} is not supported (send gzip or none)`);
  }
  try {
    return utf8.decode(body);
  } catch {
    throw new FluxgateError('INVALID_LINE_PROTOCOL', 'the body is not valid UTF-8');
  }
}

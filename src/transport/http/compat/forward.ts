// The compatibility routes are thin: each maps a documented request of a replaced system onto
// Fluxgate's own endpoint and answers with that endpoint's result, reshaped. Forwarding in-process
// (Fastify inject) keeps one implementation of authentication, validation and access checks.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ERRORS, type ErrorCode, FluxgateError } from '../../../contract/errors.ts';

export interface Forwarded {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- our own JSON answers, reshaped by each adapter
  body: any;
  headers: Record<string, unknown>;
  raw: Buffer;
}

export interface ForwardOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Replaces the caller's query string; by default it is passed on unchanged. */
  query?: Record<string, string | number | undefined>;
  /** Replaces the caller's body; by default it is passed on unchanged. */
  body?: unknown;
  /** Extra or replaced request headers. */
  headers?: Record<string, string>;
}

const PASSED_HEADERS = ['authorization', 'x-api-key', 'content-type', 'user-agent'] as const;

function queryString(request: FastifyRequest, query: ForwardOptions['query']): string {
  if (!query) {
    const i = request.url.indexOf('?');
    return i < 0 ? '' : request.url.slice(i);
  }
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Calls our endpoint `path` as the caller (same credentials, same client address). */
export async function forward(app: FastifyInstance, request: FastifyRequest, path: string, options: ForwardOptions = {}): Promise<Forwarded> {
  const headers: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  Object.assign(headers, options.headers);
  let payload: string | Buffer | undefined;
  const body = options.body !== undefined ? options.body : request.body;
  if (Buffer.isBuffer(body) || typeof body === 'string') payload = body;
  else if (body !== undefined && body !== null) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  } else delete headers['content-type'];
  const res = await app.inject({
    method: options.method ?? (request.method as ForwardOptions['method'] & string),
    url: path + queryString(request, options.query),
    headers,
    remoteAddress: request.ip,
    ...(payload === undefined ? {} : { payload }),
  });
  let parsed: unknown;
  try {
    parsed = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.statusCode, body: parsed, headers: res.headers, raw: res.rawPayload };
}

/** The forwarded answer when it is a success; else its error, re-thrown with the same code (hence status). */
export function ok(res: Forwarded): Forwarded {
  if (res.status < 400) return res;
  const error = (res.body as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
  const code = error?.code !== undefined && error.code in ERRORS ? (error.code as ErrorCode) : res.status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED';
  throw new FluxgateError(code, error?.message, error?.details);
}

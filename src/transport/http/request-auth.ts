// Who is calling: a user with a bearer token, or a device with its X-API-Key.
import type { FastifyRequest } from 'fastify';
import { FluxgateError } from '../../contract/errors.ts';
import type { ApiKeyVerifier } from '../../services/api-keys.ts';
import type { AuthService, Principal } from '../../services/auth-service.ts';

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  // `admin <token>` is IoTFlow's scheme for its admin scripts: the same access token under another
  // name (requireAdmin still decides what it may do).
  const match = /^(?:Bearer|admin)\s+(\S+)$/i.exec(header);
  return match?.[1];
}

export async function requireUser(auth: AuthService, request: FastifyRequest): Promise<Principal> {
  const token = bearerToken(request);
  if (!token) throw new FluxgateError('UNAUTHENTICATED', 'Send Authorization: Bearer <access token>');
  return auth.authenticate(token);
}

export async function requireDevice(keys: ApiKeyVerifier, request: FastifyRequest): Promise<string> {
  const header = request.headers['x-api-key'];
  const key = Array.isArray(header) ? header[0] : header;
  const deviceId = await keys.deviceFor(key);
  if (!deviceId) throw new FluxgateError('INVALID_API_KEY', key ? 'The API key is not valid' : 'Send the device key in X-API-Key');
  return deviceId;
}

export function requireAdmin(principal: Principal): void {
  if (principal.role !== 'admin') throw new FluxgateError('FORBIDDEN', 'Only admins may do this');
}

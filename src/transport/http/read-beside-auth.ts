// Reads of a device's telemetry next to the check that the caller may read it. Once the caller's
// bearer token is known to be one this platform signed, the read starts beside the check instead
// of after it: on PostgreSQL the check's round trips (session state, device, share) and the read's
// then overlap. Nothing read leaves unless the check passes, and the check's refusal wins over any
// error of the read. Anonymous callers and forged tokens start no read at all.
import type { FastifyRequest } from 'fastify';
import type { AuthService } from '../../services/auth-service.ts';
import { bearerToken } from './request-auth.ts';

export async function readBesideAuth<T>(
  auth: Pick<AuthService, 'signatureHolds'>,
  request: FastifyRequest,
  check: () => Promise<unknown>,
  read: () => Promise<T>,
): Promise<T> {
  const token = bearerToken(request);
  if (token === undefined || !(await auth.signatureHolds(token))) {
    await check();
    return read();
  }
  // Async even where `read` throws at once (a bad query parameter): that too waits for the check.
  const data = (async () => read())();
  data.catch(() => {}); // surfaces below, once the check has passed
  await check();
  return data;
}

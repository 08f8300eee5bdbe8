// The credential an InfluxDB client sends to the write endpoints, in any of the forms clients use:
// `Authorization: Token <t>` (2.x clients, Telegraf's influxdb_v2), `Authorization: Bearer <t>`,
// Basic auth or `?u=&p=` (1.x clients: the password is the token, the user name is ignored), and
// Fluxgate's own `X-API-Key`. A token starting with `fgk_` is a device key; any other is a user's
// access token.
import type { FastifyRequest } from 'fastify';

export type InfluxCredential =
  | { kind: 'device-key'; key: string; fromApiKeyHeader: boolean }
  | { kind: 'user-token'; token: string };

const DEVICE_KEY_PREFIX = 'fgk_';

export function influxCredential(request: FastifyRequest, query: { p?: string | undefined }): InfluxCredential | undefined {
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey !== '') return { kind: 'device-key', key: apiKey, fromApiKeyHeader: true };
  const header = request.headers.authorization;
  const match = header ? /^(Token|Bearer|Basic)\s+(\S+)\s*$/i.exec(header) : null;
  const scheme = match?.[1]?.toLowerCase();
  let secret: string | undefined = match?.[2];
  if (scheme === 'basic' && secret !== undefined) {
    const decoded = Buffer.from(secret, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    secret = colon < 0 ? undefined : decoded.slice(colon + 1);
  }
  if (!header && query.p) secret = query.p;
  if (!secret) return undefined;
  if (scheme !== 'bearer' && secret.startsWith(DEVICE_KEY_PREFIX)) return { kind: 'device-key', key: secret, fromApiKeyHeader: false };
  return { kind: 'user-token', token: secret };
}

// The InfluxDB-compatible write endpoints: POST /api/v2/write (2.x clients, Telegraf's
// influxdb_v2 output) and POST /write (1.x clients). docs/line-protocol.md describes the mapping.
import { z } from 'zod';

export const V2_PRECISIONS = ['ns', 'us', 'ms', 's'] as const;
/** InfluxDB 1.x names (`n`, `u`) besides the 2.x ones, and minutes and hours. */
export const V1_PRECISIONS = ['ns', 'n', 'us', 'u', 'ms', 's', 'm', 'h'] as const;
export type Precision = (typeof V1_PRECISIONS)[number];

const ignored = (what: string) => z.string().max(256).optional().describe(`${what}: accepted and ignored (the device comes from the key, a device tag or the measurement)`);

export const v2WriteQuery = z.object({
  org: ignored('Organization name'),
  orgID: ignored('Organization id'),
  bucket: ignored('Bucket'),
  precision: z.enum(V2_PRECISIONS).default('ns').describe('Unit of the timestamps in the body'),
});

export const v1WriteQuery = z.object({
  db: ignored('Database'),
  rp: ignored('Retention policy'),
  consistency: ignored('Write consistency'),
  u: z.string().max(256).optional().describe('User name: ignored'),
  p: z.string().max(4096).optional().describe('Password: a device key or a user access token, when no Authorization header is sent'),
  precision: z.enum(V1_PRECISIONS).default('ns').describe('Unit of the timestamps in the body'),
});

export const lineProtocolBody = z
  .string()
  .describe('InfluxDB line protocol (text/plain), optionally gzip-compressed (Content-Encoding: gzip)');

export const influxV2Error = z.object({ code: z.string(), message: z.string() }).describe('InfluxDB 2 error shape; X-Fluxgate-Error carries the Fluxgate code');
export const influxV1Error = z.object({ error: z.string() }).describe('InfluxDB 1 error shape; X-Fluxgate-Error carries the Fluxgate code');

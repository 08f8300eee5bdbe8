// One validated, frozen config object built from the environment and an optional JSON file
// (`FLUXGATE_CONFIG=path`). Environment wins over the file. Every setting is documented in the
// README's configuration table; a bad value stops start-up with a message naming the setting.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { COMPAT_SYSTEM_IDS, parseCompatSystems } from './contract/compat-systems.ts';
import { HA_DISCOVERY_MODES } from './contract/home-assistant/ha-discovery-mode.ts';
import { isAllowEntry } from './rules/channels/webhook-guard.ts';

const port = z.coerce.number().int().min(0).max(65535);
const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');
const positiveInt = z.coerce.number().int().positive();
/** A rate limit as `<requests>/<seconds>`, or `0` for none; parseRateLimit reads it. */
const rateLimit = z.string().regex(/^(0|[1-9][0-9]*\/[1-9][0-9]*)$/, 'must be <requests>/<seconds> (e.g. 10/60) or 0 for no limit');

export function parseRateLimit(value: string): { points: number; windowSeconds: number } {
  const [points = '0', seconds = '1'] = value.split('/');
  return { points: Number(points), windowSeconds: Number(seconds) };
}

export const configSchema = z.object({
  HOST: z.string().min(1).default('0.0.0.0').describe('Address the HTTP API listens on'),
  PORT: port.default(8080).describe('HTTP port (API, dashboard, docs); 0 picks a free port'),
  DATA_DIR: z.string().min(1).default('./data').describe('Folder for the SQLite database and other local state'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional()
    .describe('PostgreSQL connection URL; when set, storage uses PostgreSQL instead of SQLite'),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
    .default('public')
    .describe('PostgreSQL schema holding Fluxgate tables'),
  ADMIN_USERNAME: z.string().min(3).max(64).default('admin').describe('Name of the admin user created on first start'),
  ADMIN_PASSWORD: z
    .string()
    .min(8, 'must be at least 8 characters')
    .optional()
    .describe('Password of the first admin; when absent one is generated and printed once'),
  JWT_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .describe('HMAC secret for access tokens; when absent one is generated once and kept in the database'),
  JWT_TTL_SECONDS: positiveInt.default(900).describe('Lifetime of an access token in seconds'),
  ALLOW_REGISTRATION: bool.default(true).describe('Whether anyone may create an account with POST /auth/register'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('Log level of the JSON logs'),
  BODY_LIMIT_BYTES: positiveInt.default(1_048_576).describe('Largest accepted HTTP request body'),
  MAX_POINTS_PER_REQUEST: positiveInt.default(10_000).describe('Largest number of points in one telemetry request'),
  INGEST_MAX_BATCH: positiveInt.default(20_000).describe('Most points committed in one storage transaction'),
  INGEST_MAX_PENDING: positiveInt.default(200_000).describe('Points waiting for commit before ingest answers 503'),
  SQLITE_WRITER_THREAD: bool.default(true).describe('SQLite: commit telemetry on a writer thread of its own, so parsing requests and MQTT packets goes on while a group of points is committed'),
  QUERY_MAX_LIMIT: positiveInt.default(10_000).describe('Most points one history page returns'),
  OFFLINE_AFTER: positiveInt.default(300).describe('Seconds without traffic after which a device counts as offline'),
  PRESENCE_FLUSH_MS: positiveInt.default(5_000).describe('How often last_seen times are written to storage'),
  REQUEST_TIMEOUT_MS: positiveInt
    .default(30_000)
    .describe('Time a client has to send a whole request, headers included; a slower one (slowloris) gets 408 and is closed'),
  DEMO: bool
    .default(false)
    .describe('Run the embedded simulator with the IoT Mock Service\'s five devices and one of every other kind (each created with 3 days of history), and the /api/v1/simulation API (also `fluxgate start --demo`)'),
  CORS_ORIGINS: z.string().default('').describe('Comma-separated origins allowed by CORS (empty: same origin only)'),
  BLOB_DRIVER: z
    .enum(['local', 's3'])
    .default('local')
    .describe('Where device images and log files are kept: local (DATA_DIR/files) or s3 (an S3-compatible bucket)'),
  S3_ENDPOINT: z.string().url().optional().describe('S3 endpoint URL for S3-compatible servers (MinIO, Ceph, R2); empty: AWS S3'),
  S3_BUCKET: z.string().min(3).max(63).optional().describe('Bucket for device files; required when BLOB_DRIVER=s3'),
  S3_REGION: z.string().min(1).default('us-east-1').describe('S3 region'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional().describe('S3 access key id; empty: the AWS SDK default credential chain'),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional().describe('S3 secret access key'),
  S3_FORCE_PATH_STYLE: bool.default(false).describe('Address the bucket in the path (true for MinIO and most S3-compatible servers)'),
  FILE_MAX_BYTES: positiveInt.default(10_485_760).describe('Largest device image or log file accepted; bigger uploads get 413'),
  FILE_IMAGE_TYPES: z
    .string()
    .default('image/png,image/jpeg,image/gif,image/webp')
    .describe('Comma-separated content types accepted as device images, recognised from the bytes'),
  FILE_LOG_TYPES: z
    .string()
    .default('text/plain,application/gzip')
    .describe('Comma-separated content types accepted as device log files, recognised from the bytes'),
  RETENTION_RAW_DAYS: z.coerce.number().int().min(0).max(36_500).default(0).describe('Days raw telemetry points are kept unless a profile says otherwise; 0 keeps them forever'),
  RETENTION_MINUTE_DAYS: z.coerce.number().int().min(0).max(36_500).default(0).describe('Days minute rollups are kept once the raw points are gone; 0 keeps them forever'),
  RETENTION_HOUR_DAYS: z.coerce.number().int().min(0).max(36_500).default(0).describe('Days hourly rollups are kept; 0 keeps them forever'),
  RETENTION_SWEEP_MS: positiveInt.default(3_600_000).describe('How often the scheduler leader applies the telemetry retention policies'),
  LOG_RETENTION_DAYS: z.coerce.number().int().min(0).default(30).describe('Days device system logs are kept; 0 keeps them forever'),
  LOG_RETENTION_SWEEP_MS: positiveInt.default(3_600_000).describe('How often logs older than LOG_RETENTION_DAYS are deleted'),
  REFRESH_TTL_SECONDS: positiveInt.default(2_592_000).describe('Lifetime of a refresh token in seconds (30 days); each use rotates it'),
  RATE_LIMIT_LOGIN: rateLimit.default('10/60').describe('Failed logins per client IP, as requests/seconds (0: off)'),
  RATE_LIMIT_REGISTER: rateLimit.default('20/60').describe('Registrations per client IP, as requests/seconds (0: off)'),
  RATE_LIMIT_INGEST: rateLimit.default('500/1').describe('Telemetry requests per device, as requests/seconds (0: off)'),
  RATE_LIMIT_API: rateLimit.default('1200/60').describe('Authenticated API requests per user, as requests/seconds (0: off)'),
  RATE_LIMIT_API_KEY: rateLimit
    .default('30/60')
    .describe('Bad device keys per client IP (X-API-Key, MQTT CONNECT), as attempts/seconds (0: off); over it that IP gets 429 / CONNACK 5'),
  LINE_PROTOCOL_ENABLED: bool.default(false).describe('Take InfluxDB line protocol at POST /api/v2/write and /write (Telegraf, InfluxDB clients)'),
  AMQP_URL: z
    .string()
    .regex(/^amqps?:\/\//, 'must start with amqp:// or amqps://')
    .optional()
    .describe('RabbitMQ connection URL; when set, Fluxgate consumes AMQP_QUEUE and publishes events to AMQP_EVENTS_EXCHANGE'),
  AMQP_QUEUE: z.string().min(1).max(255).default('device_data_queue').describe('Queue of telemetry messages consumed (the Energy Management System\'s measurements or any POST /telemetry body)'),
  AMQP_DEAD_LETTER_QUEUE: z.string().min(1).max(255).default('device_data_queue.dead').describe('Where messages that can never be stored go, with the reason in the x-fluxgate-error and x-fluxgate-reason headers'),
  AMQP_PREFETCH: positiveInt.max(65_535).default(500).describe('Messages handed to each consumer channel before it acks any (back-pressure)'),
  AMQP_CONSUMERS: positiveInt
    .max(64)
    .default(4)
    .describe('Consumer channels on AMQP_QUEUE, each with AMQP_PREFETCH messages in hand: more in flight, so one group commit takes more of them'),
  AMQP_EVENTS_EXCHANGE: z.string().max(255).default('fluxgate.events').describe('Topic exchange that receives platform events (points.stored, device.status, …); none (or empty in the config file): no events'),
  AMQP_TRUSTED_PRODUCER: bool.default(false).describe('Accept queue messages without an x-api-key header, trusting their device_id'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional()
    .describe('Redis URL; when set, rate-limit counters and the device-status cache are shared by every node through Redis'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'use 1-64 characters of A-Z a-z 0-9 : _ -')
    .default('fluxgate')
    .describe('Prefix of the Redis keys; nodes that share limits use the same one'),
  COMPAT_APIS: z
    .string()
    .default('all')
    .refine((v) => parseCompatSystems(v) !== undefined, `must be all, none or a comma list of ${COMPAT_SYSTEM_IDS.join(', ')}`)
    .describe(`The replaced systems whose APIs are also served at their own paths (docs/compat.md): all, none or a comma list of ${COMPAT_SYSTEM_IDS.join(', ')}`),
  METRICS_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .describe('Bearer token a Prometheus scraper sends to read /metrics; when absent only an admin access token reads it'),
  TRUST_PROXY: bool.default(false).describe('Take the client IP from X-Forwarded-For (set when behind a load balancer)'),
  COMMAND_TIMEOUT_S: positiveInt.default(300).describe('Seconds a command waits for its ack before it expires, unless the request sets timeout_s'),
  COMMAND_RESEND_AFTER_MS: positiveInt
    .max(300_000)
    .default(5000)
    .describe('A command still pending (never handed to the device or broker) this long (ms) after it was created is sent again by the scheduler leader, which checks as often; devices de-duplicate by command id'),
  RULES_TICK_MS: positiveInt
    .max(60_000)
    .default(1000)
    .describe('How often (ms) rules are re-evaluated for durations, silence (no data), offline and escalation; points are evaluated as they arrive'),
  SCHEDULER_LOCK_RETRY_MS: positiveInt
    .max(60_000)
    .default(1000)
    .describe('PostgreSQL: how often (ms) a node tries to become the scheduler leader, and the leader checks it still is; a dead leader is replaced within a few of these'),
  NOTIFY_POLL_MS: positiveInt.max(60_000).default(1000).describe('How often (ms) the notification outbox is checked for due messages (new ones are sent at once)'),
  NOTIFY_MAX_ATTEMPTS: positiveInt.max(30).default(8).describe('Attempts per notification before it goes to the dead-letter list'),
  NOTIFY_RETRY_BASE_MS: positiveInt.default(1000).describe('Wait (ms) before the first retry of a failed notification; each further retry waits twice as long'),
  NOTIFY_CONCURRENCY: positiveInt.max(256).default(8).describe('Notifications sent at once by one node'),
  WEBHOOK_TIMEOUT_MS: positiveInt.max(120_000).default(10_000).describe('Time (ms) a webhook receiver has to answer before the attempt counts as failed'),
  WEBHOOK_ALLOW_PRIVATE: z
    .string()
    .default('false')
    .refine(
      (v) => ['true', 'false', '1', '0', 'yes', 'no', ''].includes(v.trim().toLowerCase()) || v.split(',').map((e) => e.trim()).filter(Boolean).every(isAllowEntry),
      'must be true, false, or a comma list of host names, IP addresses and CIDRs (e.g. hooks.lan,10.0.0.0/8)',
    )
    .describe('Webhook targets on loopback, link-local or private addresses are refused unless allowed here: true (all), or a comma list of host names, addresses and CIDRs'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional()
    .describe('SMTP server for email notifications (smtp://user:pass@host:587); when absent the email channel is off'),
  SMTP_FROM: z.string().min(3).max(320).default('Fluxgate <fluxgate@localhost>').describe('Sender of email notifications'),
  MQTT_ENABLED: bool.default(true).describe('Whether Fluxgate speaks MQTT at all (embedded broker, or client of MQTT_URL)'),
  MQTT_PORT: port.default(1883).describe('TCP port of the embedded MQTT broker (MQTT 3.1.1 and 5); 0 picks a free port'),
  MQTT_TLS_PORT: port.default(8883).describe('MQTT over TLS port, used when MQTT_TLS_CERT and MQTT_TLS_KEY are set'),
  MQTT_TLS_CERT: z.string().min(1).optional().describe('PEM certificate file for MQTT over TLS'),
  MQTT_TLS_KEY: z.string().min(1).optional().describe('PEM private key file for MQTT over TLS'),
  MQTT_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._/-]*$/, 'use letters, digits, . _ - and /')
    .default('')
    .describe('Prefix of the device topics (e.g. energy: energy/devices/{id}/data)'),
  MQTT_MAX_PAYLOAD_BYTES: positiveInt.default(131_072).describe('Largest MQTT message payload; a larger PUBLISH closes the connection (MQTT 5: DISCONNECT 0x95)'),
  MQTT_CONNECT_TIMEOUT_MS: positiveInt.default(10_000).describe('Time a new MQTT connection has to send CONNECT; then it is closed'),
  MQTT_MAX_CONNECTIONS: positiveInt
    .default(20_000)
    .describe('Most MQTT clients connected to the embedded broker at once; more get CONNACK 3 (server unavailable)'),
  MQTT_MAX_SUBSCRIPTIONS: positiveInt.default(100).describe('Most topic filters one MQTT connection may hold; more are refused with 0x80 (MQTT 5: 0x87)'),
  MQTT_RECEIVE_MAXIMUM: z.coerce
    .number()
    .int()
    .min(1)
    .max(65535)
    .default(1024)
    .describe('Receive Maximum advertised to MQTT 5 clients: QoS 1/2 messages a client may have unacknowledged, so slow commits slow it down'),
  MQTT_TOPIC_ALIAS_MAXIMUM: z.coerce.number().int().min(0).max(65535).default(16).describe('Topic aliases an MQTT 5 client may set per connection (0: none)'),
  MQTT_MAX_KEEPALIVE_S: z.coerce
    .number()
    .int()
    .min(1)
    .max(65535)
    .default(3600)
    .describe('Longest keep alive (seconds) of an MQTT 5 client; one asking for more, or for none, is given this as Server Keep Alive'),
  MQTT_RATE_LIMIT_DEVICE: rateLimit
    .default('5000/1')
    .describe('PUBLISH messages per device, as messages/seconds with a burst of one window (0: off); a device over it is disconnected (MQTT 5: PUBACK 0x97, or DISCONNECT 0x96 for QoS 0)'),
  MQTT_LISTEN_BACKLOG: positiveInt
    .default(511)
    .describe('Connections the kernel queues before the broker accepts them (capped by net.core.somaxconn); raise it only if the node answers CONNECTs faster than devices time out'),
  MQTT_URL: z
    .string()
    .regex(/^(mqtts?|wss?):\/\//, 'must start with mqtt://, mqtts://, ws:// or wss://')
    .optional()
    .describe('External broker (Mosquitto, EMQX): when set, no embedded broker runs and Fluxgate connects as a client'),
  MQTT_USERNAME: z.string().optional().describe('Username Fluxgate uses on the external broker (MQTT_URL)'),
  MQTT_PASSWORD: z.string().optional().describe('Password Fluxgate uses on the external broker (MQTT_URL)'),
  MQTT_SHARE_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'use letters, digits, _ and -')
    .default('fluxgate')
    .describe('Shared-subscription group nodes join on the external broker ($share/<group>/...)'),
  MQTT_EXTERNAL_CONNECTIONS: positiveInt
    .max(64)
    .default(8)
    .describe('Connections each node opens to the share group on the external broker (MQTT_URL), each with its own persistent session and many messages in flight'),
  MQTT_EXTERNAL_RECEIVE_MAXIMUM: positiveInt
    .max(65535)
    .default(250)
    .describe('Messages the external broker (MQTT_URL) may send each of those connections before it acknowledges one (MQTT 5 Receive Maximum); more in flight means larger group commits'),
  MQTT_HOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9._~-]{32,256}$/, 'use 32-256 characters of A-Z a-z 0-9 . _ ~ - (e.g. openssl rand -hex 32)')
    .optional()
    .describe(
      'Shared secret the external broker sends to POST /api/v1/mqtt/auth and /mqtt/acl (Authorization: Bearer, or Basic with it as the password); the hooks are off without it and without MQTT_URL',
    ),
  MQTT_DYNSEC: bool
    .default(false)
    .describe(
      "With MQTT_URL on Mosquitto 2: Fluxgate provisions each device as a client of Mosquitto's dynamic security plugin (username = device id, password = API key, a role for its own topics) and itself as MQTT_USERNAME/MQTT_PASSWORD (docs/mosquitto.md)",
    ),
  MQTT_DYNSEC_ADMIN_USERNAME: z.string().min(1).optional().describe('Dynamic security admin client Fluxgate provisions with (the one `mosquitto_ctrl dynsec init` made); needed with MQTT_DYNSEC'),
  MQTT_DYNSEC_ADMIN_PASSWORD: z.string().min(1).optional().describe('Password of MQTT_DYNSEC_ADMIN_USERNAME'),
  MQTT_DYNSEC_RESYNC_S: z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400)
    .default(300)
    .describe('Seconds between full resyncs of the dynamic security clients with the device registry (one node, the scheduler leader; every node resyncs at start); 0: only at start'),
  HA_DISCOVERY: z
    .enum(HA_DISCOVERY_MODES)
    .default('false')
    .describe('Home Assistant MQTT discovery on the embedded broker (docs/home-assistant.md): true announces every device but those with metadata home_assistant=false; opt-in only those with home_assistant=true'),
  HA_DISCOVERY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'use letters, digits, _ - and / (no wildcards, no leading or trailing /)')
    .default('homeassistant')
    .describe('Discovery prefix Home Assistant listens on (its MQTT integration setting of the same name)'),
});

/** Cross-setting rules zod cannot express field by field. */
function crossCheck(config: z.output<typeof configSchema>): string[] {
  const problems: string[] = [];
  if (Boolean(config.MQTT_TLS_CERT) !== Boolean(config.MQTT_TLS_KEY)) {
    problems.push('MQTT_TLS_CERT/MQTT_TLS_KEY: set both or neither');
  }
  if (config.HA_DISCOVERY !== 'false' && (config.MQTT_URL || !config.MQTT_ENABLED)) {
    problems.push('HA_DISCOVERY: Home Assistant discovery needs the embedded broker (MQTT_ENABLED=true, no MQTT_URL)');
  }
  if (config.MQTT_DYNSEC) {
    if (!config.MQTT_URL) problems.push('MQTT_DYNSEC: needs MQTT_URL (the Mosquitto the devices connect to)');
    if (!config.MQTT_DYNSEC_ADMIN_USERNAME || !config.MQTT_DYNSEC_ADMIN_PASSWORD) problems.push('MQTT_DYNSEC: set MQTT_DYNSEC_ADMIN_USERNAME and MQTT_DYNSEC_ADMIN_PASSWORD');
    if (!config.MQTT_USERNAME || !config.MQTT_PASSWORD) problems.push('MQTT_DYNSEC: set MQTT_USERNAME and MQTT_PASSWORD (the client Fluxgate nodes connect as; it is provisioned for them)');
  }
  return problems;
}

export type Config = Readonly<z.output<typeof configSchema>>;
export type ConfigKey = keyof z.input<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`FLUXGATE_CONFIG: cannot read ${file} (${(err as Error).message})`]);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError([`FLUXGATE_CONFIG: ${file} is not a JSON object (${(err as Error).message})`]);
  }
}

/** Builds the config from `env` (and the file named by FLUXGATE_CONFIG); throws ConfigError naming each bad setting. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const fromFile = env.FLUXGATE_CONFIG ? readConfigFile(env.FLUXGATE_CONFIG) : {};
  const keys = Object.keys(configSchema.shape);
  const unknownInFile = Object.keys(fromFile).filter((k) => !keys.includes(k));
  if (unknownInFile.length > 0) {
    throw new ConfigError(unknownInFile.map((k) => `${k}: unknown setting in ${env.FLUXGATE_CONFIG}`));
  }
  const merged: Record<string, unknown> = { ...fromFile };
  for (const key of keys) {
    const value = env[key];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  if (result.data.BLOB_DRIVER === 's3' && !result.data.S3_BUCKET) throw new ConfigError(['S3_BUCKET: required when BLOB_DRIVER=s3']);
  const crossProblems = crossCheck(result.data);
  if (crossProblems.length > 0) throw new ConfigError(crossProblems);
  const config = { ...result.data, DATA_DIR: path.resolve(result.data.DATA_DIR) };
  return Object.freeze(config);
}

/** Rows of the README configuration table, generated from the schema so docs cannot drift. */
export function describeConfig(): Array<{ key: string; default: string; description: string }> {
  return Object.entries(configSchema.shape).map(([key, schema]) => {
    const parsed = schema.safeParse(undefined);
    const def = parsed.success && parsed.data !== undefined ? String(parsed.data) : '';
    return { key, default: def, description: schema.description ?? '' };
  });
}

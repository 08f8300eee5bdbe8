// The one catalogue of error codes Fluxgate answers with. Codes are stable: clients and tests
// match on `code`, never on the message. Every code is documented in docs/errors.md (a test
// checks that), and the HTTP layer maps a code to its status here and nowhere else.

export const ERRORS = {
  VALIDATION_FAILED: { status: 400, message: 'The request is not valid' },
  INVALID_JSON: { status: 400, message: 'The request body is not valid JSON' },
  INVALID_TIME: { status: 400, message: 'A time parameter is not a valid time' },
  INVALID_CURSOR: { status: 400, message: 'The pagination cursor is not valid' },
  INVALID_LINE_PROTOCOL: { status: 400, message: 'The InfluxDB line protocol body is not valid' },
  UNAUTHENTICATED: { status: 401, message: 'Authentication is required' },
  INVALID_CREDENTIALS: { status: 401, message: 'Username or password is wrong' },
  INVALID_TOKEN: { status: 401, message: 'The access token is invalid or expired' },
  INVALID_API_KEY: { status: 401, message: 'The API key is missing or unknown' },
  TOKEN_EXPIRED: { status: 401, message: 'The access token has expired; refresh it' },
  TOKEN_REVOKED: { status: 401, message: 'The session of this access token was ended; log in again' },
  INVALID_REFRESH_TOKEN: { status: 401, message: 'The refresh token is unknown, expired or revoked; log in again' },
  REFRESH_TOKEN_REUSED: { status: 401, message: 'This refresh token was already used; its whole session was revoked' },
  FORBIDDEN: { status: 403, message: 'You are not allowed to do this' },
  REGISTRATION_DISABLED: { status: 403, message: 'Self-registration is disabled' },
  WRONG_PASSWORD: { status: 403, message: 'The current password is wrong' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  DEVICE_NOT_FOUND: { status: 404, message: 'Device not found' },
  USER_NOT_FOUND: { status: 404, message: 'User not found' },
  CHART_NOT_FOUND: { status: 404, message: 'Saved chart not found' },
  DASHBOARD_NOT_FOUND: { status: 404, message: 'Dashboard not found' },
  RULE_NOT_FOUND: { status: 404, message: 'Rule not found' },
  ALARM_NOT_FOUND: { status: 404, message: 'Alarm not found' },
  NOTIFICATION_NOT_FOUND: { status: 404, message: 'Dead-letter notification not found' },
  ROUTE_NOT_FOUND: { status: 404, message: 'No such endpoint' },
  FILE_NOT_FOUND: { status: 404, message: 'File not found' },
  PROFILE_NOT_FOUND: { status: 404, message: 'Device profile not found' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed' },
  REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time (REQUEST_TIMEOUT_MS)' },
  COMMAND_NOT_FOUND: { status: 404, message: 'Command not found' },
  COMMAND_CLOSED: { status: 409, message: 'The command is already acked, failed or expired' },
  ALARM_STATE_CONFLICT: { status: 409, message: 'The alarm is already acknowledged or cleared' },
  STATE_CONFLICT: { status: 409, message: 'The desired state changed concurrently; retry' },
  PROFILE_EXISTS: { status: 409, message: 'You already have a profile for this device type' },
  MQTT_USERNAME_TAKEN: { status: 409, message: 'The device id is the username of an MQTT broker client Fluxgate did not make' },
  PROFILE_READ_ONLY: { status: 403, message: 'Built-in profiles cannot be changed; copy one and change the copy' },
  DEVICE_EXISTS: { status: 409, message: 'A device with this id already exists' },
  USER_EXISTS: { status: 409, message: 'A user with this username or email already exists' },
  CONFIRMATION_REQUIRED: { status: 409, message: 'This action needs an explicit confirmation parameter' },
  SIMULATION_NOT_RUNNING: { status: 409, message: 'The embedded simulator is not running (start it, or start the platform with --demo)' },
  LAST_ADMIN: { status: 409, message: 'The last active admin cannot be removed, deactivated or demoted' },
  API_KEY_NOT_READABLE: { status: 410, message: 'Device keys are stored hashed and shown once; rotate the key to get a new one' },
  SAGA_ROLLBACK_UNSUPPORTED: { status: 410, message: 'There is no distributed user creation to roll back; delete the user instead' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported content type' },
  INVALID_COMMAND: { status: 422, message: "The command or one of its parameters is not allowed by the device's profile" },
  INVALID_DESIRED_STATE: { status: 422, message: "A desired-state key or value is not allowed by the device's profile" },
  WEBHOOK_TARGET_REFUSED: { status: 422, message: 'The webhook target is not allowed (loopback, link-local or private address)' },
  INVALID_TELEMETRY: { status: 422, message: 'The telemetry payload is not valid' },
  RATE_LIMITED: { status: 429, message: 'Too many requests' },
  HEADERS_TOO_LARGE: { status: 431, message: 'The request headers are too large' },
  INTERNAL: { status: 500, message: 'Internal error' },
  STORAGE_UNAVAILABLE: { status: 503, message: 'Storage cannot take data right now; retry later' },
  INGEST_OVERLOADED: { status: 503, message: 'The ingest pipeline is full; retry later' },
  MQTT_PROVISIONING_FAILED: { status: 503, message: 'The MQTT broker could not be updated with the device credentials; retry later' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** Body of every error response: `{"error":{"code","message","details"}}`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export class FluxgateError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: ErrorCode, message?: string, details?: unknown, options?: ErrorOptions) {
    super(message ?? ERRORS[code].message, options);
    this.name = 'FluxgateError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { error: { code: this.code, message: this.message } };
    if (this.details !== undefined) body.error.details = this.details;
    return body;
  }
}

export function isFluxgateError(err: unknown): err is FluxgateError {
  return err instanceof FluxgateError;
}

// What a message on the ingest queue carries: which device, its key (unless the producer is trusted)
// and a telemetry payload. Two shapes are read:
// - the Energy Management System simulator's measurement: {"device_id", "timestamp", "measurement_value"}
//   (kWh over its interval), stored as the field `energy_usage`, which the energy pages sum;
// - any body POST /api/v1/telemetry takes, with the device named by the `device_id` header or by
//   `device_id` in the body (every message of an array must then name the same device).
// The key travels in the `x-api-key` header.
import { InvalidInputError } from '../../domain/errors.ts';

export interface AmqpTelemetry {
  deviceId: string;
  apiKey: string | undefined;
  payload: unknown;
}

/** The field a measurement message's `measurement_value` is stored as. */
export const MEASUREMENT_FIELD = 'energy_usage';

const invalid = (message: string, field?: string) => new InvalidInputError('telemetry', message, field);

function headerText(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  const v = headers?.[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function claimedDevice(body: unknown): string | undefined {
  const messages = Array.isArray(body) ? body : [body];
  const ids = new Set(messages.filter(isObject).map((m) => m.device_id ?? m.deviceId).filter((id) => id !== undefined));
  if (ids.size > 1) throw invalid('the messages name more than one device_id: send one device per message', 'device_id');
  const [id] = ids;
  if (id !== undefined && typeof id !== 'string') throw invalid('device_id must be a string', 'device_id');
  return id;
}

export function parseAmqpTelemetry(content: Buffer, headers: Record<string, unknown> | undefined): AmqpTelemetry {
  let body: unknown;
  try {
    body = JSON.parse(content.toString('utf8'));
  } catch {
    throw invalid('the message body is not valid JSON', '(body)');
  }
  const deviceId = headerText(headers, 'device_id') ?? claimedDevice(body);
  if (!deviceId) throw invalid('no device: give a device_id header or device_id in the body', 'device_id');
  const apiKey = headerText(headers, 'x-api-key');
  if (isObject(body) && 'measurement_value' in body) {
    const { measurement_value: value, timestamp } = body;
    if (typeof value !== 'number') throw invalid('measurement_value must be a number (kWh)', 'measurement_value');
    return { deviceId, apiKey, payload: { device_id: deviceId, ...(timestamp === undefined ? {} : { timestamp }), data: { [MEASUREMENT_FIELD]: value } } };
  }
  return { deviceId, apiKey, payload: body };
}

// Shared bits of the rules tests: polling with a deadline (never a timing assertion) and rule bodies.
import type { Json, TestPlatform } from '../helpers/platform.ts';

/** Polls `probe` until it returns something truthy; fails with `what` after `ms`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function hotRule(deviceId: string, more: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `too hot: ${deviceId}`,
    target: { kind: 'device', device_id: deviceId },
    condition: { kind: 'compare', field: 'temperature', op: 'gt', value: 30 },
    severity: 'major',
    ...more,
  };
}

/** The alarms of a device (any state) as `token` sees them. */
export async function alarmsOf(tp: TestPlatform, token: string, deviceId: string, query = ''): Promise<Json[]> {
  const res = await tp.api('GET', `/api/v1/alarms?device_id=${deviceId}${query}`, { token });
  if (res.status !== 200) throw new Error(`GET /alarms answered ${res.status}: ${res.text}`);
  return res.body.alarms;
}

export async function send(tp: TestPlatform, apiKey: string, data: Record<string, unknown>): Promise<void> {
  const res = await tp.api('POST', '/api/v1/telemetry', { apiKey, body: { data } });
  if (res.status !== 201) throw new Error(`telemetry answered ${res.status}: ${res.text}`);
}

/** `promise`, or a failure naming `what` when it has not settled after `ms`. */
export async function within<T>(what: string, promise: Promise<T>, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gave up waiting: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

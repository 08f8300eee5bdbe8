// A device's JSON payload under the text policy of every other path (domain/text.ts): bytes that
// are not UTF-8 or not JSON are `invalid_json`; a string the policy refuses (a lone surrogate, a
// control or bidi-override character) is invalid input of the topic's kind, so a line refused over
// HTTP is refused over MQTT too instead of being stored with U+FFFD in it.
import { decodeUtf8, jsonTextMayBreakPolicy, jsonTextProblem } from '../../domain/text.ts';

export type MqttPayload = { ok: true; body: unknown } | { ok: false; invalid: 'json' | 'text'; error: Error };

export function parseMqttPayload(payload: Buffer | string): MqttPayload {
  const text = typeof payload === 'string' ? payload : decodeUtf8(payload);
  if (text === undefined) return { ok: false, invalid: 'json', error: new Error('payload is not valid UTF-8') };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    return { ok: false, invalid: 'json', error: err as Error };
  }
  const bad = jsonTextMayBreakPolicy(text) ? jsonTextProblem(body, 'payload') : undefined;
  if (bad) return { ok: false, invalid: 'text', error: new Error(`${bad.field}: ${bad.problem}`) };
  return { ok: true, body };
}

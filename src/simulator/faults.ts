// Error injection: decides, per message, whether this one goes wrong and how. One draw per message
// against the cumulative rates, so the observed share of each fault matches its rate.
import type { FaultRates } from './profiles.ts';
import type { Reading } from './model.ts';
import type { Rng } from './rng.ts';

export type Fault = 'none' | 'offline' | 'drop' | 'spike' | 'malformed';

export function drawFault(rng: Rng, rates: FaultRates): Fault {
  let r = rng();
  for (const fault of ['offline', 'drop', 'spike', 'malformed'] as const) {
    if (r < rates[fault]) return fault;
    r -= rates[fault];
  }
  return 'none';
}

/** Numeric readings multiplied by `factor`, except cumulative counters (a spike is a glitch, not consumption). */
export function spiked(reading: Reading, factor: number): Reading {
  const out: Reading = {};
  for (const [k, v] of Object.entries(reading)) out[k] = typeof v === 'number' && k !== 'energy' ? Math.round(v * factor * 1000) / 1000 : v;
  return out;
}

/** Payloads a broken device might send; each is rejected by the platform's telemetry validation. */
const MALFORMED = [
  (r: Reading) => JSON.stringify(r).slice(0, -3), // truncated JSON
  () => '"not an object"',
  () => '[]', // empty array
  () => JSON.stringify({ data: 'temperature=21' }), // nested data must be an object
] as const;

export function malformedPayload(rng: Rng, reading: Reading): string {
  return MALFORMED[Math.floor(rng() * MALFORMED.length)]!(reading);
}

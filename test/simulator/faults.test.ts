import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../src/simulator/clock.ts';
import { SimulatedDevice } from '../../src/simulator/device.ts';
import { PROFILE_NAMES, knobsFor } from '../../src/simulator/profiles.ts';

describe('error injection', () => {
  test('each fault occurs at its configured rate', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 5));
    const knobs = knobsFor('default', { faults: { drop: 0.05, spike: 0.02, malformed: 0.03, offline: 0.01, offlineMs: 0 } });
    const d = new SimulatedDevice({ id: 'hvac-1', type: 'hvac', knobs, clock, seed: 42 });
    const counts: Record<string, number> = { message: 0, spiked: 0, malformed: 0, dropped: 0, offline: 0 };
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      clock.advance(1000);
      const e = d.next();
      if (e.kind === 'message') counts[e.spiked ? 'spiked' : 'message']!++;
      else counts[e.kind]!++;
    }
    const share = (k: string) => counts[k]! / n;
    // 100k draws: the standard error of a 5 % share is 0.07 points; allow 0.3.
    assert.ok(Math.abs(share('dropped') - 0.05) < 0.003, `dropped ${share('dropped')}`);
    assert.ok(Math.abs(share('spiked') - 0.02) < 0.003, `spiked ${share('spiked')}`);
    assert.ok(Math.abs(share('malformed') - 0.03) < 0.003, `malformed ${share('malformed')}`);
    assert.ok(Math.abs(share('offline') - 0.01) < 0.003, `offline ${share('offline')}`);
  });

  test('a spike multiplies numeric readings but not the energy counter; malformed payloads are not telemetry', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 12));
    const knobs = knobsFor('default', { variationPercent: 0, faults: { spike: 1, spikeFactor: 4 } });
    const d = new SimulatedDevice({ id: 'rack', type: 'server_rack', knobs, clock, seed: 1 });
    clock.advance(3_600_000);
    const e = d.next();
    assert.equal(e.kind, 'message');
    if (e.kind !== 'message') return;
    assert.equal(e.spiked, true);
    assert.equal(e.reading.power, 45 * 0.95 * 4);
    assert.equal(e.reading.energy, 42.75);

    const bad = new SimulatedDevice({ id: 'm', type: 'smart_meter', knobs: knobsFor('default', { faults: { malformed: 1 } }), clock, seed: 3 });
    for (let i = 0; i < 20; i++) {
      const m = bad.next();
      assert.equal(m.kind, 'malformed');
      if (m.kind !== 'malformed') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(m.payload);
      } catch {
        continue; // truncated JSON
      }
      const isTelemetry =
        typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && typeof (parsed as { data?: unknown }).data !== 'string';
      assert.equal(isTelemetry, false, m.payload);
    }
  });

  test('offline lasts offlineMs of real time, then the device reports again', () => {
    const clock = new ManualClock(0);
    const d = new SimulatedDevice({ id: 'p', type: 'smart_plug', knobs: knobsFor('default', { faults: { offline: 1, offlineMs: 10_000 } }), clock, seed: 1 });
    assert.deepStrictEqual(d.next(1000), { kind: 'offline', untilReal: 11_000 });
    assert.deepStrictEqual(d.next(5000), { kind: 'skipped' });
    assert.equal(d.offlineAt(10_999), true);
    assert.equal(d.offlineAt(11_000), false);
  });
});

describe('profiles (seed 003)', () => {
  test('names and overrides', () => {
    assert.deepStrictEqual(PROFILE_NAMES, ['default', 'high_frequency', 'energy_efficient', 'industrial']);
    const k = knobsFor('industrial', { intervalMs: 500, faults: { drop: 0 } });
    assert.equal(k.intervalMs, 500);
    assert.equal(k.faults.drop, 0);
    assert.equal(k.faults.spike, 0.01);
    assert.equal(knobsFor('industrial').faults.drop, 0.05, 'the profile itself is not changed');
  });

  test('out-of-range knobs are refused by name', () => {
    assert.throws(() => knobsFor('default', { variationPercent: 2 }), { name: 'RangeError', message: 'variationPercent must be between 0 and 1 (got 2)' });
    assert.throws(() => knobsFor('default', { faults: { drop: 0.6, spike: 0.6 } }), { message: 'fault rates add up to more than 1' });
  });
});

describe('realism knobs', () => {
  test('base load replaces the model default; jitter stays within jitterMs; acceleration maps real to simulated time', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 12));
    const knobs = knobsFor('default', { baseLoad: 10, variationPercent: 0, jitterMs: 200, timeAcceleration: 60 });
    const hvac = new SimulatedDevice({ id: 'h', type: 'hvac', knobs, clock, seed: 2 });
    clock.advance(1000); // one real second = one simulated minute
    const e = hvac.next();
    assert.equal(e.kind, 'message');
    if (e.kind !== 'message') return;
    assert.equal(e.reading.power, 10);
    assert.equal(e.simTs, Date.UTC(2026, 0, 5, 12, 1));
    assert.equal(e.reading.energy, Math.round((10 / 60) * 1e4) / 1e4);
    const jitters = Array.from({ length: 1000 }, () => hvac.jitter());
    assert.ok(Math.min(...jitters) >= 0 && Math.max(...jitters) < 200);
    assert.ok(Math.max(...jitters) > 150, 'jitter spreads over the range');
    const meter = new SimulatedDevice({ id: 'm', type: 'smart_meter', knobs, clock, seed: 2 });
    clock.advance(1000);
    const r = meter.next();
    assert.equal(r.kind === 'message' && r.reading.energy_usage, 10 * 0.8); // 12:02 is "day"
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock, accelerationFromMinutesPerSecond } from '../../src/simulator/clock.ts';
import { SimulatedDevice } from '../../src/simulator/device.ts';
import type { ModelOptions, Reading } from '../../src/simulator/model.ts';
import { Camera } from '../../src/simulator/models/camera.ts';
import { DoorLock } from '../../src/simulator/models/door-lock.ts';
import { BASE_POWER_KW, ENERGY_LOAD_TYPES, EnergyLoad } from '../../src/simulator/models/energy-load.ts';
import { MotionSensor } from '../../src/simulator/models/motion-sensor.ts';
import { DEVICE_TYPES } from '../../src/simulator/models/registry.ts';
import { PERIOD_MULTIPLIER, SmartMeter, periodOf } from '../../src/simulator/models/smart-meter.ts';
import { SmartPlug } from '../../src/simulator/models/smart-plug.ts';
import { Thermostat } from '../../src/simulator/models/thermostat.ts';
import { DEMO_KNOBS } from '../../src/simulator/embedded.ts';
import { knobsFor } from '../../src/simulator/profiles.ts';
import { seededRng } from '../../src/simulator/rng.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const MIDNIGHT = Date.UTC(2026, 0, 5); // a Monday, 00:00 UTC

const opts = (seed = 1, extra: Partial<ModelOptions> = {}): ModelOptions => ({
  rng: seededRng(seed),
  variationPercent: 0.1,
  batteryDrainPerHour: 1,
  utcOffsetMinutes: 0,
  ...extra,
});

/** Readings every `stepMs` of simulated time over `spanMs`. */
function run(model: { step(t: number, dt: number): Reading }, start: number, spanMs: number, stepMs: number): Array<{ t: number; r: Reading }> {
  const out = [];
  for (let t = start + stepMs; t <= start + spanMs; t += stepMs) out.push({ t, r: model.step(t, stepMs) });
  return out;
}

describe('determinism', () => {
  test('the same seed gives the same readings for every type', () => {
    for (const type of DEVICE_TYPES) {
      const make = () => new SimulatedDevice({ id: `d-${type}`, type, knobs: knobsFor('industrial'), clock: new ManualClock(MIDNIGHT), seed: 7 });
      const a = make();
      const b = make();
      const seq = (d: SimulatedDevice) => Array.from({ length: 50 }, () => d.next(MIDNIGHT));
      assert.deepStrictEqual(seq(a), seq(b), type);
    }
  });
});

describe('thermostat (seed 000)', () => {
  test('follows a new target with a first-order lag', () => {
    const t = new Thermostat({ ...opts(3), variationPercent: 0, initialTemperature: 18, targetTemperature: 18, timeConstantMinutes: 15 });
    assert.deepStrictEqual(t.command('set_target_temperature', { temperature: 25 }), { status: 'acked', result: { target_temperature: 25 } });
    // After one time constant the gap is e^-1 of what it was: 7 °C → 2.575 °C.
    const afterTau = run(t, 0, 15 * MIN, MIN).at(-1)!.r;
    assert.equal(afterTau.temperature, Math.round((25 - 7 * Math.exp(-1)) * 100) / 100);
    const later = run(t, 15 * MIN, 90 * MIN, MIN).map((x) => x.r.temperature as number);
    for (let i = 1; i < later.length; i++) assert.ok(later[i]! >= later[i - 1]!, 'approach is monotone without noise');
    assert.ok(Math.abs(later.at(-1)! - 25) < 0.05, `converged: ${later.at(-1)}`);
  });

  test('closed loop in accelerated time: target 25 °C reached within 0.3 °C', () => {
    const clock = new ManualClock(MIDNIGHT);
    const knobs = knobsFor('default', { timeAcceleration: accelerationFromMinutesPerSecond(1) }); // 1 s = 1 min
    const d = new SimulatedDevice({ id: 'thermo-1', type: 'thermostat', knobs, clock, seed: 0 });
    d.next();
    assert.deepStrictEqual(d.applyDesired({ target_temperature: 25 }), ['target_temperature']);
    let last: Reading = {};
    for (let s = 0; s < 120; s++) {
      clock.advance(1000); // 2 real minutes = 2 simulated hours
      const e = d.next();
      if (e.kind === 'message') last = e.reading;
    }
    assert.equal(last.target_temperature, 25);
    assert.ok(Math.abs((last.temperature as number) - 25) < 0.3, `temperature ${last.temperature}`);
  });

  test('in the demo, the room follows a new target within a minute of demo time', () => {
    const clock = new ManualClock(MIDNIGHT);
    const d = new SimulatedDevice({ id: 'demo-thermostat-001', type: 'thermostat', knobs: DEMO_KNOBS, clock, seed: 0 });
    d.next();
    d.applyDesired({ target_temperature: 18 });
    for (let s = 0; s < 60; s++) {
      clock.advance(5000);
      d.next();
    }
    d.applyDesired({ target_temperature: 26 });
    const seen: number[] = [];
    for (let s = 0; s < 12; s++) {
      clock.advance(5000); // the demo's interval: 12 messages = one minute at real speed
      const e = d.next();
      if (e.kind === 'message') seen.push(e.reading.temperature as number);
    }
    assert.ok(seen[0]! > 18.5 && seen[0]! < 25, `moving after 5 s: ${seen[0]}`);
    assert.ok(Math.abs(seen.at(-1)! - 26) < 0.5, `within 0.5 °C of 26 after a minute: ${seen.at(-1)}`);
    // The default profile keeps a real room's pace (τ = 15 min): a minute closes about 6 % of the gap.
    const real = new SimulatedDevice({ id: 't', type: 'thermostat', knobs: knobsFor('default', { variationPercent: 0 }), clock, seed: 0 });
    real.next();
    real.applyDesired({ target_temperature: 30 });
    let last = 0;
    for (let s = 0; s < 12; s++) {
      clock.advance(5000);
      const e = real.next();
      if (e.kind === 'message') last = e.reading.temperature as number;
    }
    assert.ok(last < 23, `a real room is still far from 30 °C after a minute: ${last}`);
  });

  test('ranges and command errors', () => {
    const t = new Thermostat(opts(9));
    for (const { r } of run(t, MIDNIGHT, 24 * HOUR, 5 * MIN)) {
      assert.ok((r.humidity as number) >= 20 && (r.humidity as number) <= 80);
      assert.ok((r.pressure as number) >= 980 && (r.pressure as number) <= 1040);
      assert.ok((r.temperature as number) > 10 && (r.temperature as number) < 30);
    }
    assert.deepStrictEqual(t.command('set_target_temperature', { temperature: 80 }), {
      status: 'failed',
      error: 'parameter temperature must be between 5 and 35',
    });
    assert.deepStrictEqual(t.command('set_target_temperature', {}), { status: 'failed', error: 'parameter temperature is required' });
    assert.equal(t.command('fly', {}).status, 'failed');
    assert.deepStrictEqual(t.applyDesired({ target_temperature: 99 }), []);
  });
});

describe('energy loads (seed 001)', () => {
  test('base powers are the seed defaults', () => {
    assert.deepStrictEqual(BASE_POWER_KW, { hvac: 25, led_lighting: 8.5, server_rack: 45, production_line: 120, kitchen_equipment: 15 });
  });

  for (const type of ENERGY_LOAD_TYPES) {
    test(`${type}: power, voltage, current, cumulative energy, status, enabled`, () => {
      const m = new EnergyLoad(type, opts(11));
      let energy = 0;
      let integral = 0;
      for (const { r } of run(m, MIDNIGHT, 24 * HOUR, 10 * MIN)) {
        assert.deepStrictEqual(Object.keys(r).sort(), ['current', 'enabled', 'energy', 'power', 'status', 'voltage']);
        const p = r.power as number;
        assert.ok(p >= 0 && p <= BASE_POWER_KW[type] * 1.1 + 1e-9, `${p}`);
        assert.ok((r.voltage as number) >= 228 && (r.voltage as number) <= 252);
        assert.ok(Math.abs((r.current as number) - (p * 1000) / (r.voltage as number)) < 0.01);
        assert.ok((r.energy as number) >= energy);
        energy = r.energy as number;
        integral += p / 6;
        assert.equal(r.status, 'online');
        assert.equal(r.enabled, true);
      }
      assert.ok(Math.abs(energy - integral) < 0.01, `${energy} vs ${integral}`);
    });
  }

  test('commands: set_power, turn_off, turn_on', () => {
    const m = new EnergyLoad('server_rack', opts(2, { variationPercent: 0 }));
    assert.deepStrictEqual(m.command('set_power', { power: 30 }), { status: 'acked', result: { power: 30 } });
    assert.equal(m.step(MIDNIGHT, HOUR).power, 28.5); // server rack runs at 95 %
    assert.deepStrictEqual(m.command('turn_off', {}), { status: 'acked', result: { enabled: false } });
    const off = m.step(MIDNIGHT + HOUR, HOUR);
    assert.deepStrictEqual([off.power, off.current, off.enabled, off.energy], [0, 0, false, 28.5]);
    assert.deepStrictEqual(m.command('turn_on', {}), { status: 'acked', result: { enabled: true } });
    assert.deepStrictEqual(m.command('set_power', { power: -1 }), { status: 'failed', error: 'parameter power must be between 0 and 10000' });
  });
});

describe('smart meter (seed 004)', () => {
  test('periods by hour', () => {
    const byHour = Array.from({ length: 24 }, (_, h) => periodOf(h));
    assert.deepStrictEqual(byHour, [
      ...Array(6).fill('night'),
      ...Array(3).fill('morning'),
      ...Array(8).fill('day'),
      ...Array(5).fill('evening'),
      ...Array(2).fill('late'),
    ]);
    assert.deepStrictEqual(PERIOD_MULTIPLIER, { night: 0.5, morning: 1.2, day: 0.8, evening: 1.5, late: 0.7 });
  });

  test('energy per interval follows the time-of-day multipliers', () => {
    const m = new SmartMeter(opts(4));
    const sums: Record<string, { n: number; sum: number }> = {};
    for (const { t, r } of run(m, MIDNIGHT, 7 * 24 * HOUR, MIN)) {
      const p = periodOf(new Date(t).getUTCHours());
      const e = r.energy_usage as number;
      assert.ok(e >= 0.2 * PERIOD_MULTIPLIER[p] * 0.9 - 1e-4 && e <= 0.2 * PERIOD_MULTIPLIER[p] * 1.1 + 1e-4, `${p} ${e}`);
      sums[p] ??= { n: 0, sum: 0 };
      sums[p].n++;
      sums[p].sum += e;
    }
    for (const [p, { n, sum }] of Object.entries(sums)) {
      const mean = sum / n;
      assert.ok(Math.abs(mean / 0.2 - PERIOD_MULTIPLIER[p as keyof typeof PERIOD_MULTIPLIER]) < 0.02, `${p} mean ${mean}`);
    }
  });

  test('respects the local time offset', () => {
    const m = new SmartMeter(opts(4, { variationPercent: 0, utcOffsetMinutes: 18 * 60 - 14 * 60 })); // +4 h
    assert.equal(m.step(MIDNIGHT + 14 * HOUR, MIN).energy_usage, 0.3); // 18:00 local: evening
  });
});

describe('seed 002 devices', () => {
  test('camera: motion_detected, brightness 0-100, darker at night', () => {
    const c = new Camera(opts(5));
    const night: number[] = [];
    const noon: number[] = [];
    for (const { t, r } of run(c, MIDNIGHT, 24 * HOUR, 5 * MIN)) {
      assert.equal(typeof r.motion_detected, 'boolean');
      const b = r.brightness as number;
      assert.ok(b >= 0 && b <= 100);
      const h = new Date(t).getUTCHours();
      if (h < 4) night.push(b);
      if (h >= 12 && h < 14) noon.push(b);
    }
    assert.ok(Math.max(...night) < Math.min(...noon));
    assert.deepStrictEqual(c.command('start_recording', {}), { status: 'acked', result: { recording: true } });
    assert.deepStrictEqual(c.command('turn_off', {}), { status: 'acked', result: { power_on: false } });
    assert.deepStrictEqual(c.step(MIDNIGHT, MIN), { motion_detected: false, brightness: 0, recording: false, power_on: false });
  });

  test('motion sensor: sensitivity command, battery drain per simulated hour', () => {
    const m = new MotionSensor(opts(6, { batteryDrainPerHour: 2 }));
    const start = m.battery.level;
    assert.deepStrictEqual(m.command('set_sensitivity', { sensitivity: 30 }), { status: 'acked', result: { sensitivity: 30 } });
    const r = m.step(MIDNIGHT, 5 * HOUR);
    assert.equal(r.sensitivity, 30);
    assert.ok(Math.abs((r.battery_level as number) - (start - 10)) < 0.01, `${r.battery_level} from ${start}`);
    assert.deepStrictEqual(m.command('set_sensitivity', { sensitivity: 0 }), { status: 'failed', error: 'parameter sensitivity must be between 1 and 100' });
  });

  test('door lock: lock/unlock ack, flat battery refuses', () => {
    const d = new DoorLock(opts(7, { batteryDrainPerHour: 10 }));
    assert.deepStrictEqual(d.command('unlock', {}), { status: 'acked', result: { locked: false } });
    assert.equal(d.step(MIDNIGHT, MIN).locked, false);
    assert.deepStrictEqual(d.command('lock', {}), { status: 'acked', result: { locked: true } });
    assert.equal(d.step(MIDNIGHT, 20 * HOUR).battery_level, 0);
    assert.deepStrictEqual(d.command('unlock', {}), { status: 'failed', error: 'battery empty: the bolt cannot move' });
    assert.deepStrictEqual(d.command('replace_battery', {}), { status: 'acked', result: { battery_level: 100 } });
  });

  test('smart plug: power_on and energy_usage per interval', () => {
    const p = new SmartPlug(opts(8, { variationPercent: 0 }));
    assert.deepStrictEqual(p.step(MIDNIGHT, HOUR), { power_on: true, power: 150, energy_usage: 0.15 });
    assert.deepStrictEqual(p.command('turn_off', {}), { status: 'acked', result: { power_on: false } });
    assert.deepStrictEqual(p.step(MIDNIGHT, HOUR), { power_on: false, power: 0, energy_usage: 0 });
  });
});

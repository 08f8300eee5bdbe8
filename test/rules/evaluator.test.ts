// The pure evaluator: each condition kind, all/any with unknowns, device thresholds, for_s, clear
// delay, hysteresis, escalation and the latch after a manual clear. No I/O; the clock is a number.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Condition, RuleDefinition } from '../../src/domain/rule.ts';
import { type PairState, initialState, step } from '../../src/rules/alarm-state.ts';
import { evaluate } from '../../src/rules/conditions.ts';
import { type DeviceFacts, emptyFacts, recordPoint } from '../../src/rules/device-facts.ts';
import { replay } from '../../src/rules/dry-run.ts';

const T0 = 1_800_000_000_000;
const S = 1000;
const OFFLINE_AFTER = 300 * S;

function facts(values: Record<string, number | boolean | string> = {}, at = T0): DeviceFacts {
  const f = emptyFacts('d1', T0 - 3600 * S);
  for (const [field, value] of Object.entries(values)) recordPoint(f, { ts: at, field, value }, 0);
  return f;
}

const truth = (c: Condition, f: DeviceFacts, now = T0, widen = 0) => evaluate(c, { facts: f, now, offlineAfterMs: OFFLINE_AFTER, widen });

function rule(condition: Condition, more: Partial<RuleDefinition> = {}): RuleDefinition {
  return { target: { kind: 'device', device_id: 'd1' }, condition, for_s: 0, clear: { hysteresis: 0, delay_s: 0 }, severity: 'warning', escalation: [], ...more };
}

/** Drives a rule through timed values; returns the transitions with their times (seconds after T0). */
function drive(def: RuleDefinition, f: DeviceFacts, script: Array<[sec: number, values: Record<string, number | boolean | string> | null]>) {
  let state: PairState = initialState(T0);
  const seen: string[] = [];
  for (const [sec, values] of script) {
    const now = T0 + sec * S;
    for (const [field, value] of Object.entries(values ?? {})) recordPoint(f, { ts: now, field, value }, 600 * S);
    const r = step(state, { rule: def, facts: f, now, offlineAfterMs: OFFLINE_AFTER });
    state = r.state;
    for (const t of r.transitions) seen.push(`${sec}:${t.kind}${'severity' in t ? `:${t.severity}` : ''}`);
  }
  return { seen, state };
}

describe('conditions', () => {
  it('compares numbers with every operator', () => {
    const f = facts({ t: 30 });
    const at = (op: 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq', value: number) => truth({ kind: 'compare', field: 't', op, value }, f);
    assert.deepEqual([at('gt', 30), at('gte', 30), at('lt', 30), at('lte', 30), at('eq', 30), at('neq', 30)], [false, true, false, true, true, false]);
    assert.deepEqual([at('gt', 29), at('lt', 31)], [true, true]);
  });

  it('matches booleans, enums and strings with eq/neq; an ordering on a string is unknown', () => {
    const f = facts({ door: true, mode: 'eco' });
    assert.equal(truth({ kind: 'compare', field: 'door', op: 'eq', value: true }, f), true);
    assert.equal(truth({ kind: 'compare', field: 'door', op: 'eq', value: false }, f), false);
    assert.equal(truth({ kind: 'compare', field: 'mode', op: 'neq', value: 'eco' }, f), false);
    assert.equal(truth({ kind: 'compare', field: 'mode', op: 'eq', value: 'eco' }, f), true);
    assert.equal(truth({ kind: 'compare', field: 'mode', op: 'gt', value: 3 }, f), undefined);
  });

  it('is unknown for a field never seen', () => {
    assert.equal(truth({ kind: 'compare', field: 'missing', op: 'gt', value: 1 }, facts({ t: 1 })), undefined);
  });

  it('checks inside and outside a range', () => {
    const inside = { kind: 'range', field: 't', mode: 'inside', min: 18, max: 24 } as const;
    const outside = { ...inside, mode: 'outside' } as const;
    assert.deepEqual([truth(inside, facts({ t: 18 })), truth(inside, facts({ t: 25 }))], [true, false]);
    assert.deepEqual([truth(outside, facts({ t: 17.9 })), truth(outside, facts({ t: 20 }))], [true, false]);
  });

  it('reads limits from the device: metadata, config, desired state, then the default', () => {
    const f = facts({ power: 1500 });
    f.metadata = { max_power: 1000 };
    f.desired = { target_temperature: '21.5' };
    assert.equal(truth({ kind: 'compare', field: 'power', op: 'gt', value: { from: 'metadata', key: 'max_power' } }, f), true);
    assert.equal(truth({ kind: 'compare', field: 'power', op: 'gt', value: { from: 'config', key: 'max_power' } }, f), undefined, 'no limit: unknown');
    assert.equal(truth({ kind: 'compare', field: 'power', op: 'gt', value: { from: 'config', key: 'max_power', default: 2000 } }, f), false);
    recordPoint(f, { ts: T0, field: 'temperature', value: 23 }, 0);
    assert.equal(truth({ kind: 'compare', field: 'temperature', op: 'gt', value: { from: 'desired', key: 'target_temperature' } }, f), true);
  });

  it('measures the rate of change over a window', () => {
    const f = emptyFacts('d1', T0);
    const c = { kind: 'rate', field: 't', window_s: 60, per: 'minute', op: 'gt', value: 5 } as const;
    recordPoint(f, { ts: T0, field: 't', value: 20 }, 60 * S);
    assert.equal(truth(c, f), undefined, 'one sample: no rate yet');
    recordPoint(f, { ts: T0 + 30 * S, field: 't', value: 24 }, 60 * S);
    assert.equal(truth(c, f), true, '+4 in 30 s is 8 per minute');
    recordPoint(f, { ts: T0 + 120 * S, field: 't', value: 25 }, 60 * S);
    assert.equal(f.windows.get('t')!.length, 1, 'samples older than the window are dropped');
    recordPoint(f, { ts: T0 + 150 * S, field: 't', value: 26 }, 60 * S);
    assert.equal(truth(c, f), false, '+1 in 30 s is 2 per minute');
  });

  it('sees no data for a field or the whole device, counting from when watching began', () => {
    const f = facts({ t: 1 }, T0);
    assert.equal(truth({ kind: 'no_data', field: 't', for_s: 60 }, f, T0 + 59 * S), false);
    assert.equal(truth({ kind: 'no_data', field: 't', for_s: 60 }, f, T0 + 60 * S), true);
    assert.equal(truth({ kind: 'no_data', for_s: 60 }, f, T0 + 30 * S), false);
    assert.equal(truth({ kind: 'no_data', field: 'never', for_s: 3600 }, f, T0), true, 'watching since an hour before T0');
  });

  it('sees a device offline for a duration, from status events or from last data', () => {
    const f = facts({ t: 1 }, T0);
    assert.equal(truth({ kind: 'offline', for_s: 60 }, f, T0 + 100 * S), false, 'recent data: online');
    assert.equal(truth({ kind: 'offline', for_s: 60 }, f, T0 + (300 + 59) * S), false);
    assert.equal(truth({ kind: 'offline', for_s: 60 }, f, T0 + (300 + 60) * S), true);
    f.status = { online: false, since: T0 + 10 * S };
    assert.equal(truth({ kind: 'offline', for_s: 60 }, f, T0 + 70 * S), true);
    f.status = { online: true, since: T0 + 20 * S };
    assert.equal(truth({ kind: 'offline', for_s: 60 }, f, T0 + 9999 * S), false);
  });

  it('combines with all/any, nested one level, in three-valued logic', () => {
    const f = facts({ t: 30, h: 80 });
    const hot = { kind: 'compare', field: 't', op: 'gt', value: 25 } as const;
    const dry = { kind: 'compare', field: 'h', op: 'lt', value: 20 } as const;
    const unknown = { kind: 'compare', field: 'x', op: 'gt', value: 0 } as const;
    assert.equal(truth({ kind: 'all', conditions: [hot, dry] }, f), false);
    assert.equal(truth({ kind: 'any', conditions: [hot, dry] }, f), true);
    assert.equal(truth({ kind: 'any', conditions: [dry, unknown] }, f), undefined);
    assert.equal(truth({ kind: 'all', conditions: [dry, unknown] }, f), false);
    assert.equal(truth({ kind: 'all', conditions: [hot, { kind: 'any', conditions: [dry, { kind: 'compare', field: 'h', op: 'gt', value: 70 }] }] }, f), true);
  });
});

describe('alarm state', () => {
  const hot = { kind: 'compare', field: 't', op: 'gt', value: 30 } as const;

  it('raises only after the condition held for_s, and resets when it breaks off', () => {
    const { seen } = drive(rule(hot, { for_s: 60 }), facts(), [
      [0, { t: 31 }],
      [50, { t: 29 }],
      [70, { t: 31 }],
      [120, null],
      [130, null],
    ]);
    assert.deepEqual(seen, ['130:raise:warning']);
  });

  it('clears on the negation, after the clear delay', () => {
    const { seen } = drive(rule(hot, { clear: { hysteresis: 0, delay_s: 30 } }), facts(), [
      [0, { t: 31 }],
      [10, { t: 30 }],
      [20, { t: 35 }],
      [30, { t: 25 }],
      [59, null],
      [60, null],
    ]);
    assert.deepEqual(seen, ['0:raise:warning', '60:clear']);
  });

  it('with hysteresis clears only once the value is back past the limit by the margin', () => {
    const { seen } = drive(rule(hot, { clear: { hysteresis: 2, delay_s: 0 } }), facts(), [
      [0, { t: 31 }],
      [10, { t: 29 }],
      [20, { t: 28.5 }],
      [30, { t: 27.9 }],
    ]);
    assert.deepEqual(seen, ['0:raise:warning', '30:clear']);
  });

  it('uses an explicit clear condition instead of the negation', () => {
    const clear = { hysteresis: 0, delay_s: 0, condition: { kind: 'compare', field: 'reset', op: 'eq', value: true } as const };
    const { seen } = drive(rule(hot, { clear }), facts(), [
      [0, { t: 31 }],
      [10, { t: 20 }],
      [20, { reset: true }],
    ]);
    assert.deepEqual(seen, ['0:raise:warning', '20:clear']);
  });

  it('escalates while the alarm stays open', () => {
    const escalation = [
      { after_s: 600, severity: 'major' as const },
      { after_s: 1200, severity: 'critical' as const },
    ];
    const { seen } = drive(rule(hot, { escalation }), facts(), [
      [0, { t: 31 }],
      [599, null],
      [600, null],
      [1300, null],
      [1400, { t: 10 }],
    ]);
    assert.deepEqual(seen, ['0:raise:warning', '600:escalate:major', '1300:escalate:critical', '1400:clear']);
  });

  it('raises on no data and clears when data comes back', () => {
    const f = facts({ t: 1 }, T0);
    const { seen } = drive(rule({ kind: 'no_data', for_s: 120 }), f, [
      [60, null],
      [119, null],
      [120, null],
      [200, { t: 2 }],
    ]);
    assert.deepEqual(seen, ['120:raise:warning', '200:clear']);
  });

  it('an unknown condition neither raises nor clears', () => {
    const f = facts();
    const def = rule({ kind: 'compare', field: 't', op: 'gt', value: { from: 'metadata', key: 'limit' } });
    recordPoint(f, { ts: T0, field: 't', value: 99 }, 0);
    assert.equal(step(initialState(T0), { rule: def, facts: f, now: T0, offlineAfterMs: OFFLINE_AFTER }).transitions.length, 0);
  });

  it('after a manual clear (latched) waits for the clear condition before it can raise again', () => {
    let state: PairState = { phase: 'latched', since: T0 };
    const f = facts({ t: 31 });
    const input = (now: number) => ({ rule: rule(hot), facts: f, now, offlineAfterMs: OFFLINE_AFTER });
    let r = step(state, input(T0 + S));
    assert.deepEqual([r.state.phase, r.transitions], ['latched', []]);
    recordPoint(f, { ts: T0 + 2 * S, field: 't', value: 20 }, 0);
    state = step(r.state, input(T0 + 2 * S)).state;
    assert.equal(state.phase, 'normal');
    recordPoint(f, { ts: T0 + 3 * S, field: 't', value: 40 }, 0);
    r = step(state, input(T0 + 3 * S));
    assert.deepEqual(r.transitions, [{ kind: 'raise', severity: 'warning' }]);
  });

  it('the dry run replays points with their own times, ticking through the gaps', () => {
    const points = [
      { ts: T0 + 10 * S, field: 't', value: 35 },
      { ts: T0 + 100 * S, field: 't', value: 20 },
    ];
    const out = replay(rule(hot, { for_s: 30 }), { deviceId: 'd1', metadata: {}, config: {}, desired: {} }, points, { start: T0, end: T0 + 200 * S, offlineAfterMs: OFFLINE_AFTER });
    assert.deepEqual(
      out.map((t) => [(t.at - T0) / S, t.event, t.severity]),
      [
        [40, 'raised', 'warning'],
        [100, 'cleared', 'warning'],
      ],
    );
  });
});

// Condition evaluation: true, false, or undefined when it cannot be known yet (no value for the
// field, no limit on the device). all/any treat unknown the way three-valued logic does, and an
// unknown condition neither raises nor clears an alarm. Pure: `now` is passed in.
import { type Condition, type InnerGroup, type LeafCondition, type Threshold, type ThresholdRef, isGroup } from '../domain/rule.ts';
import { type DeviceFacts, onlineState } from './device-facts.ts';

export type Truth = boolean | undefined;

export interface EvalContext {
  facts: DeviceFacts;
  now: number;
  offlineAfterMs: number;
  /**
   * Hysteresis: every numeric limit moves by this much in the direction that keeps the condition
   * true, so "not (condition widened)" only holds once a value is clearly back.
   */
  widen: number;
}

const PER_MS = { second: 1000, minute: 60_000, hour: 3_600_000 } as const;

export function not(t: Truth): Truth {
  return t === undefined ? undefined : !t;
}

function combine(kind: 'all' | 'any', truths: Truth[]): Truth {
  const decisive = kind === 'all' ? false : true;
  if (truths.includes(decisive)) return decisive;
  if (truths.includes(undefined)) return undefined;
  return !decisive;
}

function refValue(ref: ThresholdRef, facts: DeviceFacts): unknown {
  const source = ref.from === 'metadata' ? facts.metadata : ref.from === 'config' ? facts.config : facts.desired;
  return Object.hasOwn(source, ref.key) ? source[ref.key] : ref.default;
}

/** A numeric limit: the number, or the device's value (numeric strings count), else undefined. */
export function resolveThreshold(t: Threshold, facts: DeviceFacts): number | undefined {
  if (typeof t === 'number') return t;
  const v = refValue(t, facts);
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return t.default;
}

function ordered(op: 'gt' | 'gte' | 'lt' | 'lte', v: number, limit: number, widen: number): boolean {
  if (op === 'gt') return v > limit - widen;
  if (op === 'gte') return v >= limit - widen;
  if (op === 'lt') return v < limit + widen;
  return v <= limit + widen;
}

function compareLeaf(c: Extract<LeafCondition, { kind: 'compare' }>, ctx: EvalContext): Truth {
  const sample = ctx.facts.latest.get(c.field);
  if (!sample) return undefined;
  if (c.op === 'eq' || c.op === 'neq') {
    const wanted = typeof c.value === 'object' ? refValue(c.value, ctx.facts) : c.value;
    if (wanted === undefined) return undefined;
    const equal = sample.value === wanted || (typeof wanted === 'number' && typeof sample.value === 'string' && Number(sample.value) === wanted);
    return c.op === 'eq' ? equal : !equal;
  }
  if (typeof sample.value !== 'number' || (typeof c.value !== 'number' && typeof c.value !== 'object')) return undefined;
  const limit = resolveThreshold(c.value, ctx.facts);
  return limit === undefined ? undefined : ordered(c.op, sample.value, limit, ctx.widen);
}

function rangeLeaf(c: Extract<LeafCondition, { kind: 'range' }>, ctx: EvalContext): Truth {
  const sample = ctx.facts.latest.get(c.field);
  const min = resolveThreshold(c.min, ctx.facts);
  const max = resolveThreshold(c.max, ctx.facts);
  if (!sample || typeof sample.value !== 'number' || min === undefined || max === undefined) return undefined;
  const v = sample.value;
  const w = ctx.widen;
  return c.mode === 'inside' ? v >= min - w && v <= max + w : v < min + w || v > max - w;
}

/** Change per unit between the oldest and newest sample of the last window_s seconds. */
export function rateOf(c: Extract<LeafCondition, { kind: 'rate' }>, facts: DeviceFacts): number | undefined {
  const window = facts.windows.get(c.field);
  if (!window || window.length < 2) return undefined;
  const last = window[window.length - 1]!;
  const first = window.find((s) => s.ts >= last.ts - c.window_s * 1000)!;
  if (first.ts === last.ts) return undefined;
  return ((last.value - first.value) / (last.ts - first.ts)) * PER_MS[c.per];
}

function leaf(c: LeafCondition, ctx: EvalContext): Truth {
  switch (c.kind) {
    case 'compare':
      return compareLeaf(c, ctx);
    case 'range':
      return rangeLeaf(c, ctx);
    case 'rate': {
      const rate = rateOf(c, ctx.facts);
      const limit = resolveThreshold(c.value, ctx.facts);
      return rate === undefined || limit === undefined ? undefined : ordered(c.op, rate, limit, ctx.widen);
    }
    case 'no_data': {
      const last = c.field === undefined ? ctx.facts.lastSeen : (ctx.facts.latest.get(c.field)?.ts ?? null);
      return ctx.now - (last ?? ctx.facts.watchingSince) >= c.for_s * 1000;
    }
    case 'offline': {
      const state = onlineState(ctx.facts, ctx.now, ctx.offlineAfterMs);
      return !state.online && ctx.now - state.since >= c.for_s * 1000;
    }
  }
}

export function evaluate(condition: Condition | InnerGroup, ctx: EvalContext): Truth {
  if (!isGroup(condition)) return leaf(condition, ctx);
  return combine(condition.kind, (condition.conditions as Array<LeafCondition | InnerGroup>).map((c) => evaluate(c, ctx)));
}

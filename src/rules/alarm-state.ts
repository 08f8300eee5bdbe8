// The state machine of one (rule, device): normal → pending (condition holds, waiting for_s) →
// raised → clearing (clear condition holds, waiting delay_s) → normal. Escalation steps raise the
// severity while the alarm stays open. After a person clears an alarm by hand it is "latched": it is
// not raised again until its clear condition has held once. Pure: the clock is an argument.
import { type RuleDefinition, type Severity, severityRank } from '../domain/rule.ts';
import type { DeviceFacts } from './device-facts.ts';
import { type Truth, evaluate, not } from './conditions.ts';

export type Phase = 'normal' | 'pending' | 'raised' | 'clearing' | 'latched';

export interface PairState {
  phase: Phase;
  /** When the current phase began (pending, clearing). */
  since: number;
  /** Set while raised or clearing. */
  raisedAt?: number | undefined;
  severity?: Severity | undefined;
}

export type Transition = { kind: 'raise'; severity: Severity } | { kind: 'clear' } | { kind: 'escalate'; severity: Severity };

export const initialState = (now: number): PairState => ({ phase: 'normal', since: now });

/** The state of an alarm already open (restored on start). */
export const raisedState = (raisedAt: number, severity: Severity): PairState => ({ phase: 'raised', since: raisedAt, raisedAt, severity });

export interface StepInput {
  rule: RuleDefinition;
  facts: DeviceFacts;
  now: number;
  offlineAfterMs: number;
}

export function raiseTruth({ rule, facts, now, offlineAfterMs }: StepInput): Truth {
  return evaluate(rule.condition, { facts, now, offlineAfterMs, widen: 0 });
}

export function clearTruth({ rule, facts, now, offlineAfterMs }: StepInput): Truth {
  if (rule.clear.condition) return evaluate(rule.clear.condition, { facts, now, offlineAfterMs, widen: 0 });
  return not(evaluate(rule.condition, { facts, now, offlineAfterMs, widen: rule.clear.hysteresis }));
}

function escalation(state: PairState, input: StepInput): Transition[] {
  if (state.raisedAt === undefined || state.severity === undefined) return [];
  let target = state.severity;
  for (const step of input.rule.escalation) {
    if (input.now - state.raisedAt >= step.after_s * 1000 && severityRank(step.severity) > severityRank(target)) target = step.severity;
  }
  if (target === state.severity) return [];
  state.severity = target;
  return [{ kind: 'escalate', severity: target }];
}

/** Advances `state` (a fresh object is returned) and says what happened to the alarm. */
export function step(current: PairState, input: StepInput): { state: PairState; transitions: Transition[] } {
  const state: PairState = { ...current };
  const { now, rule } = input;
  switch (state.phase) {
    case 'latched':
      if (clearTruth(input) === true) return { state: initialState(now), transitions: [] };
      return { state, transitions: [] };
    case 'normal':
    case 'pending': {
      const holds = raiseTruth(input);
      if (holds === false) return { state: initialState(now), transitions: [] };
      if (holds === undefined) return { state, transitions: [] };
      if (state.phase === 'normal') {
        state.phase = 'pending';
        state.since = now;
      }
      if (now - state.since < rule.for_s * 1000) return { state, transitions: [] };
      const raised = raisedState(now, rule.severity);
      return { state: raised, transitions: [{ kind: 'raise', severity: rule.severity }, ...escalation(raised, input)] };
    }
    case 'raised':
    case 'clearing': {
      const clears = clearTruth(input);
      if (clears !== true) {
        if (clears === false && state.phase === 'clearing') {
          state.phase = 'raised';
          state.since = now;
        }
        return { state, transitions: escalation(state, input) };
      }
      if (state.phase === 'raised') {
        state.phase = 'clearing';
        state.since = now;
      }
      if (now - state.since < rule.clear.delay_s * 1000) return { state, transitions: escalation(state, input) };
      return { state: initialState(now), transitions: [{ kind: 'clear' }] };
    }
  }
}

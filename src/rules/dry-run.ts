// The dry run: replays the last hours of stored points of a rule's devices through the same evaluator
// the engine uses, with the points' own times as the clock, and says when the alarm would have been
// raised, escalated and cleared. The one place in rules that reads history; never on the hot path.
import { type Rule, type RuleDefinition, type Severity, leavesOf } from '../domain/rule.ts';
import type { Point } from '../domain/telemetry.ts';
import type { Principal } from '../services/auth-service.ts';
import type { Storage } from '../storage/storage.ts';
import { type PairState, initialState, step } from './alarm-state.ts';
import { emptyFacts, recordPoint } from './device-facts.ts';
import { resolveTargets } from './rule-targets.ts';

export const DRY_RUN_MAX_DEVICES = 50;
export const DRY_RUN_MAX_POINTS = 200_000;
/** Time steps between points (durations and silence move on them): at most this many per replay. */
const MAX_TICKS = 5_000;

export interface DryRunTransition {
  at: number;
  event: 'raised' | 'cleared' | 'severity_changed';
  severity: Severity;
}

export interface DryRunDevice {
  deviceId: string;
  points: number;
  truncated: boolean;
  transitions: DryRunTransition[];
}

/** Replays one device's points (ascending) over [start, end]. Pure. */
export function replay(
  definition: RuleDefinition,
  base: { deviceId: string; metadata: Record<string, unknown>; config: Record<string, unknown>; desired: Record<string, unknown> },
  points: readonly Pick<Point, 'ts' | 'field' | 'value'>[],
  range: { start: number; end: number; offlineAfterMs: number },
): DryRunTransition[] {
  const facts = { ...emptyFacts(base.deviceId, range.start), metadata: base.metadata, config: base.config, desired: base.desired };
  const keep = new Map<string, number>();
  for (const leaf of leavesOf(definition.condition)) if (leaf.kind === 'rate') keep.set(leaf.field, Math.max(keep.get(leaf.field) ?? 0, leaf.window_s * 1000));
  const out: DryRunTransition[] = [];
  let state: PairState = initialState(range.start);
  const stepAt = (now: number) => {
    const before = state.severity ?? definition.severity;
    const result = step(state, { rule: definition, facts, now, offlineAfterMs: range.offlineAfterMs });
    state = result.state;
    for (const t of result.transitions) {
      if (t.kind === 'clear') out.push({ at: now, event: 'cleared', severity: before });
      else out.push({ at: now, event: t.kind === 'raise' ? 'raised' : 'severity_changed', severity: t.severity });
    }
  };
  const tickMs = Math.max(1000, Math.ceil((range.end - range.start) / MAX_TICKS));
  let i = 0;
  for (let t = range.start; ; t = Math.min(t + tickMs, range.end)) {
    while (i < points.length && points[i]!.ts <= t) {
      const ts = points[i]!.ts;
      while (i < points.length && points[i]!.ts === ts) {
        recordPoint(facts, points[i]!, keep.get(points[i]!.field) ?? 0);
        i += 1;
      }
      stepAt(ts);
    }
    stepAt(t);
    if (t >= range.end) break;
  }
  return out;
}

export async function dryRun(
  storage: Storage,
  principal: Principal,
  definition: RuleDefinition,
  range: { start: number; end: number; offlineAfterMs: number },
): Promise<DryRunDevice[]> {
  const probe: Rule = { id: 'dry-run', ownerId: principal.userId, name: 'dry run', description: '', enabled: true, definition, createdAt: 0, updatedAt: 0 };
  const devices = (await resolveTargets(storage, probe)).slice(0, DRY_RUN_MAX_DEVICES);
  const out: DryRunDevice[] = [];
  for (const device of devices) {
    const points = await storage.queryPoints({ deviceId: device.id, start: range.start, end: range.end + 1, order: 'asc', limit: DRY_RUN_MAX_POINTS });
    const desired = (await storage.getDesiredState(device.id))?.desired ?? {};
    const transitions = replay(definition, { deviceId: device.id, metadata: device.metadata, config: device.config, desired }, points, range);
    out.push({ deviceId: device.id, points: points.length, truncated: points.length >= DRY_RUN_MAX_POINTS, transitions });
  }
  return out;
}

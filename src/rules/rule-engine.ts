// Evaluates rules as points arrive (the bus) and on a timer (durations, silence, offline, escalation).
// State per (rule, device) lives in memory; on start it is restored from the open alarms and each
// watched device's latest values (a seek per series, never a scan of history). Storage writes for
// one (rule, device) run one after another, and the unique open-alarm index keeps raising idempotent.
import type { Device } from '../domain/device.ts';
import { type Rule, leavesOf } from '../domain/rule.ts';
import type { Point } from '../domain/telemetry.ts';
import type { EventBus } from '../services/event-bus.ts';
import type { Storage } from '../storage/storage.ts';
import type { AlarmService } from './alarm-service.ts';
import { type PairState, type Transition, initialState, raisedState, step } from './alarm-state.ts';
import { type DeviceFacts, emptyFacts, recordPoint } from './device-facts.ts';
import { ownerMayRead, resolveTargets, targets } from './rule-targets.ts';

const OWNER = 'rule-engine';

export interface RuleEngineOptions {
  tickMs: number;
  offlineAfterMs: number;
  now?: () => number;
  onError?: (err: unknown, context: string) => void;
  /** Whether the timer's evaluation may run now (the scheduler's leader); points are evaluated on every node. */
  mayTick?: () => boolean;
}

interface WatchedRule {
  rule: Rule;
  /** The devices it watches, each with the state of its (rule, device) pair. */
  devices: Map<string, Pair>;
  /** Fields its condition reads; a point of another field cannot change its outcome. */
  fields: ReadonlySet<string>;
  /** Any point matters to it: silence of the whole device, or offline judged from the last point. */
  anyPoint: boolean;
  /** Per field, how much history its rate conditions need (ms). */
  rateKeep: ReadonlyMap<string, number>;
}

interface Pair {
  state: PairState;
  /** The storage writes of this pair, in order. */
  queue: Promise<void>;
}

const pairKey = (ruleId: string, deviceId: string) => `${ruleId}\u0000${deviceId}`;

function watchedRule(rule: Rule): WatchedRule {
  const fields = new Set<string>();
  const rateKeep = new Map<string, number>();
  let anyPoint = false;
  // A clear condition of its own may read other fields than the raise condition.
  const { condition, clear } = rule.definition;
  for (const leaf of [...leavesOf(condition), ...(clear.condition ? leavesOf(clear.condition) : [])]) {
    if (leaf.kind === 'offline' || (leaf.kind === 'no_data' && leaf.field === undefined)) anyPoint = true;
    else if (leaf.field !== undefined) fields.add(leaf.field);
    if (leaf.kind === 'rate') rateKeep.set(leaf.field, Math.max(rateKeep.get(leaf.field) ?? 0, leaf.window_s * 1000));
  }
  return { rule, devices: new Map(), fields, anyPoint, rateKeep };
}

function readsAny(fields: ReadonlySet<string>, touched: ReadonlySet<string>): boolean {
  for (const f of touched) if (fields.has(f)) return true;
  return false;
}

export class RuleEngine {
  private readonly rules = new Map<string, WatchedRule>();
  private readonly facts = new Map<string, DeviceFacts>();
  private readonly pairs = new Map<string, Pair>();
  /** The rules watching each device, so a point costs only the rules of its device. */
  private readonly byDevice = new Map<string, Set<WatchedRule>>();
  /** Devices seen in points and checked against device-type rules (so each is looked up once). */
  private readonly checked = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private reloads: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: Storage,
    private readonly bus: EventBus,
    private readonly alarms: AlarmService,
    private readonly options: RuleEngineOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    for (const rule of await this.storage.listRules()) if (rule.enabled) await this.watch(rule);
    const watched = new Set([...this.rules.keys()]);
    for (const alarm of await this.storage.openAlarms()) {
      if (!watched.has(alarm.ruleId)) continue;
      const pair = this.pairs.get(pairKey(alarm.ruleId, alarm.deviceId));
      if (pair) pair.state = raisedState(alarm.raisedAt, alarm.severity);
    }
    this.bus.on('points.stored', OWNER, ({ points }) => this.onPoints(points));
    this.bus.on('device.status', OWNER, ({ deviceId, online, at }) => {
      const facts = this.facts.get(deviceId);
      if (facts) facts.status = { online, since: at };
      this.evaluateDevice(deviceId);
    });
    this.bus.on('state.desired', OWNER, ({ state }) => {
      const facts = this.facts.get(state.deviceId);
      if (facts) facts.desired = state.desired;
    });
    this.bus.on('device.updated', OWNER, ({ deviceId }) => this.enqueueReload(() => this.refreshDevice(deviceId)));
    this.bus.on('device.deleted', OWNER, ({ deviceId }) => this.forgetDevice(deviceId));
    // An owner who lost access to a device stops watching it; a new share may add devices to type rules.
    this.bus.on('access.changed', OWNER, ({ deviceIds, userIds, reason }) => {
      if (reason === 'sessions-revoked' || reason === 'user-deactivated') return;
      if (deviceIds) for (const id of deviceIds) this.enqueueReload(() => this.refreshDevice(id));
      else {
        const affected = [...this.rules.values()].filter((w) => !userIds || userIds.includes(w.rule.ownerId));
        for (const w of affected) this.enqueueReload(() => this.reloadRule(w.rule.id));
      }
    });
    this.bus.on('rule.changed', OWNER, ({ ruleId }) => this.enqueueReload(() => this.reloadRule(ruleId)));
    this.bus.on('alarm.changed', OWNER, ({ alarm, kind, userId }) => {
      // Cleared by a person: not raised again until the clear condition has held once.
      if (kind !== 'cleared' || userId === null) return;
      const pair = this.pairs.get(pairKey(alarm.ruleId, alarm.deviceId));
      if (pair) pair.state = { phase: 'latched', since: this.now() };
    });
    this.timer = setInterval(() => (this.options.mayTick?.() ?? true) && this.tick(), this.options.tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.bus.removeOwner(OWNER);
    await this.reloads;
    await this.settled();
  }

  /** Resolves once every storage write queued so far has finished (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.pairs.values()].map((p) => p.queue));
  }

  /** Evaluates every watched (rule, device): durations, silence, offline and escalation move on time. */
  tick(): void {
    const now = this.now();
    for (const watched of this.rules.values()) {
      for (const [deviceId, pair] of watched.devices) this.evaluate(watched.rule, deviceId, pair, now);
    }
  }

  /** Per point: the rules of its device that read its field (or any point); nothing for other devices. */
  private onPoints(points: readonly Point[]): void {
    let touched: Map<string, Set<string>> | undefined;
    // A batch is mostly long runs of one device; one no rule watches is passed over a run at a time.
    let unwatched: string | undefined;
    for (const p of points) {
      if (p.deviceId === unwatched) continue;
      const facts = this.facts.get(p.deviceId);
      if (facts) {
        recordPoint(facts, p, this.keepMs(p.deviceId, p.field));
        touched ??= new Map();
        let fields = touched.get(p.deviceId);
        if (!fields) touched.set(p.deviceId, (fields = new Set()));
        fields.add(p.field);
      } else {
        unwatched = p.deviceId;
        if (!this.checked.has(p.deviceId)) {
          this.checked.add(p.deviceId);
          this.enqueueReload(() => this.refreshDevice(p.deviceId));
        }
      }
    }
    if (!touched) return;
    const now = this.now();
    for (const [deviceId, fields] of touched) {
      for (const watched of this.byDevice.get(deviceId) ?? []) {
        if (!watched.anyPoint && !readsAny(watched.fields, fields)) continue;
        const pair = watched.devices.get(deviceId);
        if (pair) this.evaluate(watched.rule, deviceId, pair, now);
      }
    }
  }

  private evaluateDevice(deviceId: string): void {
    const now = this.now();
    for (const watched of this.byDevice.get(deviceId) ?? []) {
      const pair = watched.devices.get(deviceId);
      if (pair) this.evaluate(watched.rule, deviceId, pair, now);
    }
  }

  private evaluate(rule: Rule, deviceId: string, pair: Pair, now: number): void {
    const facts = this.facts.get(deviceId);
    if (!facts) return;
    const { state, transitions } = step(pair.state, { rule: rule.definition, facts, now, offlineAfterMs: this.options.offlineAfterMs });
    pair.state = state;
    for (const t of transitions) this.apply(pair, rule, deviceId, t, facts);
  }

  private apply(pair: Pair, rule: Rule, deviceId: string, t: Transition, facts: DeviceFacts): void {
    const run = async () => {
      if (t.kind === 'raise') await this.alarms.raise(rule, deviceId, t.severity, this.details(rule, facts));
      else if (t.kind === 'clear') await this.alarms.clearByRule(rule.id, deviceId);
      else await this.alarms.escalate(rule.id, deviceId, t.severity);
    };
    pair.queue = pair.queue.then(run).catch((err: unknown) => this.options.onError?.(err, `rule ${rule.id} on ${deviceId}: ${t.kind}`));
  }

  /** The values of the fields the rule looks at, as seen when it fired. */
  private details(rule: Rule, facts: DeviceFacts): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const leaf of leavesOf(rule.definition.condition)) {
      if ('field' in leaf && leaf.field !== undefined) {
        const sample = facts.latest.get(leaf.field);
        if (sample) values[leaf.field] = sample.value;
      }
    }
    return { values, last_seen: facts.lastSeen === null ? null : new Date(facts.lastSeen).toISOString() };
  }

  /** How much history of a field the rate conditions of a device's rules need. */
  private keepMs(deviceId: string, field: string): number {
    let keep = 0;
    for (const watched of this.byDevice.get(deviceId) ?? []) keep = Math.max(keep, watched.rateKeep.get(field) ?? 0);
    return keep;
  }

  private enqueueReload(fn: () => Promise<void>): void {
    this.reloads = this.reloads.then(fn).catch((err: unknown) => this.options.onError?.(err, 'reloading rules'));
  }

  private async watch(rule: Rule): Promise<void> {
    const devices = await resolveTargets(this.storage, rule);
    const watched = watchedRule(rule);
    this.rules.set(rule.id, watched);
    await this.loadFacts(devices.filter((d) => !this.facts.has(d.id)));
    for (const device of devices) this.addPair(watched, device.id);
  }

  private addPair(watched: WatchedRule, deviceId: string): void {
    let rules = this.byDevice.get(deviceId);
    if (!rules) this.byDevice.set(deviceId, (rules = new Set()));
    rules.add(watched);
    const key = pairKey(watched.rule.id, deviceId);
    let pair = this.pairs.get(key);
    if (!pair) this.pairs.set(key, (pair = { state: initialState(this.now()), queue: Promise.resolve() }));
    watched.devices.set(deviceId, pair);
  }

  /** Latest values (one seek per series), metadata, config and desired state of devices. */
  private async loadFacts(devices: readonly Device[]): Promise<void> {
    if (devices.length === 0) return;
    const now = this.now();
    for (const d of devices) this.facts.set(d.id, this.baseFacts(d, now));
    for (const p of await this.storage.latestPointsOf(devices.map((d) => d.id))) {
      const facts = this.facts.get(p.deviceId);
      if (facts) recordPoint(facts, p, 0);
    }
    for (const d of devices) {
      const desired = await this.storage.getDesiredState(d.id);
      if (desired) this.facts.get(d.id)!.desired = desired.desired;
    }
  }

  private baseFacts(device: Device, now: number): DeviceFacts {
    const facts = emptyFacts(device.id, now, device.lastSeen);
    facts.metadata = device.metadata;
    facts.config = device.config;
    return facts;
  }

  private dropPair(watched: WatchedRule, deviceId: string): void {
    watched.devices.delete(deviceId);
    this.byDevice.get(deviceId)?.delete(watched);
    this.pairs.delete(pairKey(watched.rule.id, deviceId));
  }

  private async reloadRule(ruleId: string): Promise<void> {
    const old = this.rules.get(ruleId);
    const rule = await this.storage.getRule(ruleId);
    this.rules.delete(ruleId);
    for (const deviceId of old?.devices.keys() ?? []) this.byDevice.get(deviceId)?.delete(old!);
    if (!rule || !rule.enabled) {
      for (const deviceId of old?.devices.keys() ?? []) this.pairs.delete(pairKey(ruleId, deviceId));
      // Gone with its owner (a cascade): its alarms must not stay open with nothing left to clear them.
      if (!rule && old) await this.alarms.clearAllOf(ruleId, null, 'rule deleted');
      return;
    }
    await this.watch(rule);
    const watched = this.rules.get(ruleId)!;
    for (const deviceId of old?.devices.keys() ?? []) if (!watched.devices.has(deviceId)) this.pairs.delete(pairKey(ruleId, deviceId));
    // A changed rule keeps the state of its pairs; a new one adopts alarms already open (another node, a restart).
    for (const [deviceId, pair] of watched.devices) {
      if (pair.state.phase === 'normal') {
        const open = await this.storage.openAlarm(ruleId, deviceId);
        if (open) pair.state = raisedState(open.raisedAt, open.severity);
      }
    }
  }

  /** A device changed (type, metadata, owner) or sent its first points: re-check which rules watch it. */
  private async refreshDevice(deviceId: string): Promise<void> {
    const device = await this.storage.getDevice(deviceId);
    if (!device) return this.forgetDevice(deviceId);
    const facts = this.facts.get(deviceId);
    if (facts) {
      facts.metadata = device.metadata;
      facts.config = device.config;
    }
    const owners = new Map<string, boolean>();
    for (const watched of this.rules.values()) {
      const rule = watched.rule;
      let isAdmin = owners.get(rule.ownerId);
      if (isAdmin === undefined) owners.set(rule.ownerId, (isAdmin = (await this.storage.getUser(rule.ownerId))?.role === 'admin'));
      const wanted = targets(rule, device) && (await ownerMayRead(this.storage, rule.ownerId, isAdmin, device));
      if (wanted && !watched.devices.has(deviceId)) {
        if (!this.facts.has(deviceId)) await this.loadFacts([device]);
        this.addPair(watched, deviceId);
      } else if (!wanted && watched.devices.has(deviceId)) {
        this.dropPair(watched, deviceId);
      }
    }
  }

  private forgetDevice(deviceId: string): void {
    this.facts.delete(deviceId);
    this.checked.delete(deviceId);
    for (const watched of [...(this.byDevice.get(deviceId) ?? [])]) this.dropPair(watched, deviceId);
    this.byDevice.delete(deviceId);
  }
}

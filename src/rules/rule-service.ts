// Rules for people: the creator owns a rule, admins see and change all. A rule may only name devices
// its owner may read (404 for any other, as everywhere); a device-type target watches the devices of
// that type the owner may read. Changes are published ('rule.changed') for the engine to reload.
import { randomUUID } from 'node:crypto';
import { FluxgateError } from '../contract/errors.ts';
import { type Rule, type RuleDefinition, actionDeviceIds, targetDeviceIds } from '../domain/rule.ts';
import type { DeviceAccess } from '../services/access.ts';
import type { Principal } from '../services/auth-service.ts';
import type { EventBus } from '../services/event-bus.ts';
import type { Storage } from '../storage/storage.ts';
import type { AlarmService } from './alarm-service.ts';
import { type DryRunDevice, dryRun } from './dry-run.ts';

export interface RuleContent {
  name: string;
  description: string;
  enabled: boolean;
  definition: RuleDefinition;
}

export class RuleService {
  constructor(
    private readonly storage: Storage,
    private readonly access: DeviceAccess,
    private readonly bus: EventBus,
    private readonly alarms: AlarmService,
    private readonly options: { offlineAfterMs: number; now?: () => number },
  ) {}

  /** Replays the last `hours` of stored data of the rule's devices (at most 50) through the evaluator. */
  async dryRun(principal: Principal, definition: RuleDefinition, hours: number): Promise<{ start: number; end: number; devices: DryRunDevice[] }> {
    await this.checkTargets(principal, definition);
    const end = (this.options.now ?? Date.now)();
    const start = end - Math.round(hours * 3_600_000);
    return { start, end, devices: await dryRun(this.storage, principal, definition, { start, end, offlineAfterMs: this.options.offlineAfterMs }) };
  }

  async create(principal: Principal, content: RuleContent): Promise<Rule> {
    await this.checkTargets(principal, content.definition);
    const rule = await this.storage.createRule({ id: randomUUID(), ownerId: principal.userId, ...content });
    this.bus.emit('rule.changed', { ruleId: rule.id });
    return rule;
  }

  /** Your rules; an admin's list holds everyone's. */
  async list(principal: Principal): Promise<Rule[]> {
    return this.storage.listRules(principal.role === 'admin' ? undefined : principal.userId);
  }

  async get(principal: Principal, id: string): Promise<Rule> {
    const rule = await this.storage.getRule(id);
    if (!rule || (rule.ownerId !== principal.userId && principal.role !== 'admin')) throw notFound(id);
    return rule;
  }

  async replace(principal: Principal, id: string, content: RuleContent): Promise<Rule> {
    const current = await this.get(principal, id);
    await this.checkTargets(await this.ownerOf(current, principal), content.definition);
    const rule = await this.storage.updateRule(id, content);
    if (!rule) throw notFound(id);
    if (current.enabled && !rule.enabled) await this.alarms.clearAllOf(id, principal.userId, 'rule disabled');
    this.bus.emit('rule.changed', { ruleId: id });
    return rule;
  }

  /** Deletes the rule; its open alarms are cleared (by the deleter) and keep their history. */
  async remove(principal: Principal, id: string): Promise<void> {
    await this.get(principal, id);
    await this.alarms.clearAllOf(id, principal.userId, 'rule deleted');
    await this.storage.deleteRule(id);
    this.bus.emit('rule.changed', { ruleId: id });
  }

  /**
   * Every named device must be readable by the rule's owner (404 DEVICE_NOT_FOUND otherwise); a device
   * an action names must be under their control (403). Access to the alarm's own device is checked
   * when an action runs, since it may change after the rule is saved.
   */
  private async checkTargets(owner: Principal, definition: RuleDefinition): Promise<void> {
    for (const deviceId of new Set(targetDeviceIds(definition.target))) await this.access.require(owner, deviceId, 'read');
    for (const deviceId of new Set(actionDeviceIds(definition))) await this.access.require(owner, deviceId, 'control');
    for (const [i, step] of (definition.notify ?? []).entries()) {
      for (const [j, name] of step.users.entries()) {
        if (!(await this.storage.findUserForLogin(name))) throw new FluxgateError('USER_NOT_FOUND', `notify.${i}.users.${j}: no user named ${name}`, { field: `notify.${i}.users.${j}` });
      }
    }
  }

  private async ownerOf(rule: Rule, editor: Principal): Promise<Principal> {
    if (rule.ownerId === editor.userId) return editor;
    const owner = await this.storage.getUser(rule.ownerId);
    if (!owner) throw notFound(rule.id);
    return { userId: owner.id, role: owner.role, username: owner.username };
  }
}

const notFound = (id: string) => new FluxgateError('RULE_NOT_FOUND', `Rule ${id} not found`);

// Rule actions: when a rule raises an alarm (or its clear condition clears it), the rule's actions
// send a command or set desired state, as the rule's owner would through the API, so the same
// access rule applies (control access to the device). Each outcome, done or refused, is recorded in
// the alarm's history; a refusal never stops the other actions or the engine. Actions run on the node
// that made the change, once per change ('alarm.changed' is not forwarded between nodes).
import { FluxgateError } from '../contract/errors.ts';
import type { Alarm } from '../domain/alarm.ts';
import type { ActionTrigger, Rule, RuleAction } from '../domain/rule.ts';
import type { Principal } from '../services/auth-service.ts';
import type { CommandService } from '../services/command-service.ts';
import type { EventBus } from '../services/event-bus.ts';
import type { Storage } from '../storage/storage.ts';
import type { AlarmService } from './alarm-service.ts';

const OWNER = 'rule-actions';

/** What an action did, as recorded in the alarm's history. */
type Outcome = { result: 'sent'; command_id: string } | { result: 'set'; version: number } | { result: 'refused' | 'failed'; error: { code: string; message: string } };

export class RuleActions {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly storage: Storage,
    private readonly bus: EventBus,
    private readonly commands: CommandService,
    private readonly alarms: AlarmService,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.bus.on('alarm.changed', OWNER, ({ alarm, kind, userId }) => {
      // Clear actions follow the rule's own clear condition, not a person clearing by hand.
      const on: ActionTrigger | undefined = kind === 'raised' ? 'raise' : kind === 'cleared' && userId === null ? 'clear' : undefined;
      if (!on) return;
      const work = this.run(alarm, on)
        .catch(this.onError)
        .finally(() => this.inFlight.delete(work));
      this.inFlight.add(work);
    });
  }

  /** Resolves when every action started so far has run and been recorded. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  async stop(): Promise<void> {
    this.bus.removeOwner(OWNER);
    await this.settled();
  }

  /** Runs the rule's actions for `on`, in order, and records each outcome on the alarm. */
  async run(alarm: Alarm, on: ActionTrigger): Promise<void> {
    const rule = await this.storage.getRule(alarm.ruleId);
    const actions = (rule?.definition.actions ?? []).filter((a) => a.on === on);
    if (!rule || actions.length === 0) return;
    const owner = await this.ownerOf(rule);
    for (const action of actions) {
      const deviceId = action.device_id ?? alarm.deviceId;
      const outcome = await this.perform(owner, rule, action, deviceId);
      await this.alarms.recordAction(alarm, { rule_id: rule.id, rule_name: rule.name, on, action: describe(action), device_id: deviceId, ...outcome });
    }
  }

  private async perform(owner: Principal | undefined, rule: Rule, action: RuleAction, deviceId: string): Promise<Outcome> {
    try {
      if (!owner) throw new FluxgateError('FORBIDDEN', `The owner of rule ${rule.id} is deactivated or deleted; the rule may not act`);
      if (action.kind === 'command') {
        const command = await this.commands.send(owner, deviceId, { command: action.command, parameters: action.parameters });
        return { result: 'sent', command_id: command.id };
      }
      const state = await this.commands.putDesired(owner, deviceId, action.state);
      return { result: 'set', version: state.version };
    } catch (err) {
      if (err instanceof FluxgateError) return { result: 'refused', error: { code: err.code, message: err.message } };
      this.onError(err);
      return { result: 'failed', error: { code: 'INTERNAL', message: (err as Error).message ?? String(err) } };
    }
  }

  private async ownerOf(rule: Rule): Promise<Principal | undefined> {
    const user = await this.storage.getUser(rule.ownerId);
    return user?.isActive ? { userId: user.id, role: user.role, username: user.username } : undefined;
  }
}

/** The action as the rule states it (snake_case wire shape), without its trigger. */
function describe(action: RuleAction): Record<string, unknown> {
  return action.kind === 'command' ? { kind: 'command', command: action.command, parameters: action.parameters } : { kind: 'desired_state', state: action.state };
}

// Home Assistant's commands into Fluxgate, under the caller's own access rights (CommandService
// checks them again): `set/{key}` → desired state `key` (ON/OFF, LOCK/UNLOCK, a number), and a
// climate's `mode` → the command turn_on (heat) or turn_off (off).
import { FluxgateError } from '../../contract/errors.ts';
import { haCommandValue } from '../../contract/home-assistant/ha-entities.ts';
import type { HaTopics } from '../../contract/home-assistant/ha-topics.ts';
import type { ProfileDefinition } from '../../contract/profiles/profile.ts';
import type { Device } from '../../domain/device.ts';
import type { Principal } from '../../services/auth-service.ts';
import type { CommandService } from '../../services/command-service.ts';

const MODE_COMMANDS: Record<string, string> = { heat: 'turn_on', off: 'turn_off' };

export interface HaCommandDeps {
  topics: HaTopics;
  commands: Pick<CommandService, 'putDesired' | 'send'>;
  device(id: string): Promise<Device | undefined>;
  profileOf(device: Device): Promise<ProfileDefinition | undefined>;
}

export class HaCommands {
  constructor(private readonly deps: HaCommandDeps) {}

  async handle(principal: Principal, topic: string, payload: string): Promise<void> {
    const parsed = this.deps.topics.parseDevice(topic);
    if (parsed?.kind === 'mode') {
      const command = MODE_COMMANDS[payload.trim().toLowerCase()];
      if (!command) throw new FluxgateError('VALIDATION_FAILED', `mode must be one of ${Object.keys(MODE_COMMANDS).join(', ')}`);
      await this.deps.commands.send(principal, parsed.deviceId, { command });
      return;
    }
    if (parsed?.kind !== 'set') throw new FluxgateError('VALIDATION_FAILED', `${topic} is not a Home Assistant command topic`);
    const device = await this.deps.device(parsed.deviceId);
    const profile = device && (await this.deps.profileOf(device));
    const value = haCommandValue(profile?.desired.find((d) => d.key === parsed.key), payload);
    if (value === undefined) throw new FluxgateError('INVALID_DESIRED_STATE', `"${payload.slice(0, 40)}" is not a value of ${parsed.key}`);
    await this.deps.commands.putDesired(principal, parsed.deviceId, { [parsed.key]: value });
  }
}

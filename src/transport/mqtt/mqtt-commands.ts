// Commands and desired state out over MQTT. A stored command is published (QoS 1) on
// `devices/{id}/commands` and becomes `delivered` when the broker writes it to the device's connection (embedded) or
// when the external broker took it; desired state is published retained on `state/desired` and
// again when the device reconnects. Pending commands are re-sent when a device subscribes again,
// and when the scheduler leader finds them still pending some seconds after creation
// ('command.resend', services/command-resend.ts): embedded, to a device connected here; external,
// on the broker, whatever node stored them.
// MQTT 5 devices also get, with each command, the seconds left until it expires (Message Expiry
// Interval: a command queued for an offline session is dropped once expired), and a Response Topic
// with the command id as Correlation Data, where they may answer instead of on `commands/ack`.
import type { Aedes, AedesPublishPacket, Client, PublishPacket, Subscription } from 'aedes';
import type { MqttCommandPayload, MqttDesiredStatePayload } from '../../contract/mqtt-topics.ts';
import type { Command, DesiredState } from '../../domain/command.ts';
import type { MqttClients } from './mqtt-authenticate.ts';
import type { MqttDeps } from './mqtt-deps.ts';
import type { PublishFn } from './mqtt-status.ts';

const OWNER = 'mqtt-commands';

export function commandPayload(c: Command): MqttCommandPayload {
  return { id: c.id, command: c.command, parameters: c.parameters, expires_at: new Date(c.expiresAt).toISOString(), created_at: new Date(c.createdAt).toISOString() };
}

/** The MQTT 5 properties of a command's PUBLISH; MQTT 3.1.1 subscribers get the message without them. */
export function commandProperties(c: Command, responseTopic: string, now: number) {
  return {
    messageExpiryInterval: Math.max(1, Math.ceil((c.expiresAt - now) / 1000)),
    responseTopic,
    correlationData: Buffer.from(c.id, 'utf8'),
    contentType: 'application/json',
  };
}

export class MqttCommandRelay {
  /** Ids of resends not yet taken by the broker: a resend is not queued again behind itself. */
  private readonly resending = new Set<string>();

  constructor(
    private readonly deps: MqttDeps,
    private readonly clients: MqttClients | undefined,
    private readonly publish: PublishFn,
    /** External broker: delivery cannot be observed, so a command counts as delivered once the broker took it. */
    private readonly deliveredOnPublish: boolean,
  ) {}

  attach(aedes?: Aedes): void {
    const { bus } = this.deps;
    bus.on('command.created', OWNER, ({ command }) => void this.sendCommand(command));
    bus.on('command.resend', OWNER, ({ command }) => void this.resend(command));
    bus.on('state.desired', OWNER, ({ state }) => void this.sendDesired(state));
    if (!aedes) return;
    aedes.on('subscribe', (subscriptions: Subscription[], client: Client) => {
      const who = this.clients?.identityOf(client);
      if (who?.kind !== 'device') return;
      if (subscriptions.some((s) => this.deps.policy.topics.parse(s.topic)?.kind === 'commands')) void this.resendPending(who.deviceId);
    });
    aedes.on('clientReady', (client: Client) => {
      const who = this.clients?.identityOf(client);
      if (who?.kind === 'device') void this.resendDesired(who.deviceId);
    });
  }

  /**
   * aedes' authorizeForward hook: called as a message is written to a subscriber's connection.
   * With the level persistence aedes' 'ack' event does not carry the packet for clean sessions, so
   * a command counts as delivered when the broker hands it to the device's own connection.
   */
  readonly authorizeForward = (client: Client, packet: AedesPublishPacket): AedesPublishPacket | null => {
    // aedes asks before it drops a queued message whose Message Expiry passed [MQTT-3.3.2-5]: such a
    // command was not delivered.
    const expiry = (packet as { messageExpiry?: number }).messageExpiry;
    if (expiry !== undefined && expiry <= Date.now()) return null;
    const who = this.clients?.identityOf(client);
    // A user (Home Assistant) receives only messages about devices they may see.
    if (who?.kind === 'user') return this.deps.policy.userScope?.mayReceive(who.userId, packet.topic) ? packet : null;
    if (who?.kind !== 'device') return packet;
    const parsed = this.deps.policy.topics.parse(packet.topic);
    if (parsed?.kind !== 'commands' || parsed.deviceId !== who.deviceId) return packet;
    const id = this.commandId(packet.payload);
    if (id) void this.deps.commands.markDelivered(who.deviceId, id).catch((err: unknown) => this.warn(err, who.deviceId));
    return packet;
  };

  detach(): void {
    this.deps.bus.removeOwner(OWNER);
  }

  private commandId(payload: PublishPacket['payload']): string | undefined {
    try {
      const body = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8')) as { id?: unknown };
      return typeof body.id === 'string' ? body.id : undefined;
    } catch {
      return undefined;
    }
  }

  /** Whether the command was handed to the broker. */
  private async sendCommand(command: Command): Promise<boolean> {
    const now = Date.now();
    // An expired command is not sent (the expiry sweep marks it expired).
    if (command.expiresAt <= now) return false;
    const { topics } = this.deps.policy;
    try {
      await this.publish({
        cmd: 'publish',
        topic: topics.commands(command.deviceId),
        payload: Buffer.from(JSON.stringify(commandPayload(command))),
        qos: 1,
        retain: false,
        dup: false,
        properties: commandProperties(command, topics.commandResponse(command.deviceId), now),
        // aedes' absolute expiry of a queued message: expires_at itself, not the rounded-up seconds.
        messageExpiry: command.expiresAt,
      } as PublishPacket);
      if (this.deliveredOnPublish) await this.deps.commands.markDelivered(command.deviceId, command.id);
      return true;
    } catch (err) {
      this.warn(err, command.deviceId);
      return false;
    }
  }

  private async resend(command: Command): Promise<void> {
    if (this.resending.has(command.id)) return;
    // The embedded broker would queue it for an offline persistent session on every run: a device
    // that is not connected gets its pending commands when it subscribes again.
    if (!this.deliveredOnPublish && !this.deps.connectivity.isConnected(command.deviceId)) return;
    this.resending.add(command.id);
    try {
      if (!(await this.sendCommand(command))) return;
      this.deps.metrics.commandsResent.inc();
      // External broker: a node died or lost the broker before publishing it, worth an operator's notice.
      const level = this.deliveredOnPublish ? 'warn' : 'debug';
      this.deps.logger[level]({ deviceId: command.deviceId, commandId: command.id, createdAt: new Date(command.createdAt).toISOString() }, 'MQTT: sent again a command still pending');
    } finally {
      this.resending.delete(command.id);
    }
  }

  private async sendDesired(state: DesiredState): Promise<void> {
    const body: MqttDesiredStatePayload = { desired: state.desired, version: state.version, updated_at: new Date(state.updatedAt).toISOString() };
    try {
      await this.publish({
        cmd: 'publish',
        topic: this.deps.policy.topics.desiredState(state.deviceId),
        payload: Buffer.from(JSON.stringify(body)),
        qos: 1,
        retain: true,
        dup: false,
      });
    } catch (err) {
      this.warn(err, state.deviceId);
    }
  }

  private async resendPending(deviceId: string): Promise<void> {
    try {
      for (const command of await this.deps.commands.pendingOf(deviceId)) await this.sendCommand(command);
    } catch (err) {
      this.warn(err, deviceId);
    }
  }

  private async resendDesired(deviceId: string): Promise<void> {
    try {
      const state = await this.deps.commands.desiredOf(deviceId);
      if (state) await this.sendDesired(state);
    } catch (err) {
      this.warn(err, deviceId);
    }
  }

  private warn(err: unknown, deviceId: string): void {
    this.deps.logger.warn({ err, deviceId }, 'MQTT command relay failed');
  }
}

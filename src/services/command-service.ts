// Commands (pending → delivered → acked | failed | expired) and desired state per device. Transports
// deliver what this service announces on the bus ('command.created', 'state.desired') and report
// back delivery and acks; HTTP-only devices poll and ack over HTTP.
import type { z } from 'zod';
import { FluxgateError } from '../contract/errors.ts';
import { mqttCommandAckPayload, mqttCommandResponsePayload } from '../contract/mqtt-topics.ts';
import {
  type Command,
  type CommandStatus,
  type DesiredState,
  OPEN_COMMAND_STATUSES,
  desiredDelta,
  mergeDesired,
} from '../domain/command.ts';
import { generateId } from '../domain/ids.ts';
import type { Storage } from '../storage/storage.ts';
import type { DeviceAccess } from './access.ts';
import type { Principal } from './auth-service.ts';
import type { EventBus } from './event-bus.ts';
import type { ProfileService } from './profile-service.ts';

export interface CommandInput {
  command: string;
  parameters?: Record<string, unknown> | undefined;
  timeoutS?: number | undefined;
}

export interface DeviceStateView {
  desired: Record<string, unknown>;
  reported: Record<string, unknown>;
  delta: Record<string, unknown>;
  version: number;
  updatedAt: number | null;
}

function validated<T>(schema: z.ZodType<T>, payload: unknown): T {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new FluxgateError('VALIDATION_FAILED', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
}

export class CommandService {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly access: DeviceAccess,
    private readonly bus: EventBus,
    private readonly profiles: ProfileService,
    private readonly options: { defaultTimeoutS: number; expirySweepMs: number; /** Whether the sweep may run now (the scheduler's leader). */ mayRun?: () => boolean },
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.options.mayRun?.() ?? true) void this.expire().catch(() => {});
    }, this.options.expirySweepMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async send(principal: Principal, deviceId: string, input: CommandInput, now = Date.now()): Promise<Command> {
    const device = await this.access.require(principal, deviceId, 'control');
    await this.profiles.checkCommand(device, input.command, input.parameters ?? {});
    const command = await this.storage.createCommand({
      id: generateId('cmd'),
      deviceId,
      command: input.command,
      parameters: input.parameters ?? {},
      createdBy: principal.userId,
      createdAt: now,
      expiresAt: now + (input.timeoutS ?? this.options.defaultTimeoutS) * 1000,
    });
    this.bus.emit('command.created', { command });
    return command;
  }

  async list(principal: Principal, deviceId: string, options: { status?: CommandStatus | undefined; limit: number }): Promise<Command[]> {
    await this.access.require(principal, deviceId, 'read');
    await this.expire();
    return this.storage.listCommands(deviceId, { statuses: options.status ? [options.status] : [], limit: options.limit });
  }

  async get(principal: Principal, deviceId: string, id: string): Promise<Command> {
    await this.access.require(principal, deviceId, 'read');
    await this.expire();
    const command = await this.storage.getCommand(deviceId, id);
    if (!command) throw new FluxgateError('COMMAND_NOT_FOUND', `Command ${id} not found`);
    return command;
  }

  /** Open commands of a device, oldest first (device side). Fetching them counts as delivery. */
  async fetchOpen(deviceId: string, limit = 100, now = Date.now()): Promise<Command[]> {
    await this.expire(now);
    const open = await this.storage.listCommands(deviceId, { statuses: OPEN_COMMAND_STATUSES, limit, order: 'asc' });
    const out: Command[] = [];
    for (const c of open) out.push(c.status === 'pending' ? ((await this.markDelivered(deviceId, c.id, now)) ?? c) : c);
    return out;
  }

  /** pending → delivered (the device received it); undefined when it was not pending. */
  async markDelivered(deviceId: string, id: string, now = Date.now()): Promise<Command | undefined> {
    const command = await this.storage.updateCommand(deviceId, id, ['pending'], { status: 'delivered', deliveredAt: now });
    if (command) this.bus.emit('command.updated', { command });
    return command;
  }

  /**
   * MQTT 5 request/response: a device's reply on a command's Response Topic, `commandId` taken from
   * its Correlation Data. It acks the command exactly as `ack` does (the body is an ack without `id`).
   */
  async respond(deviceId: string, commandId: string, payload: unknown, now = Date.now()): Promise<Command> {
    const reply = validated(mqttCommandResponsePayload, payload);
    if (reply.id !== undefined && reply.id !== commandId) throw new FluxgateError('VALIDATION_FAILED', 'id: differs from the Correlation Data');
    return this.ack(deviceId, { ...reply, id: commandId }, now);
  }

  /** A device's ack (MQTT `…/commands/ack` or HTTP); `payload` as the device sent it. */
  async ack(deviceId: string, payload: unknown, now = Date.now()): Promise<Command> {
    const ack = validated(mqttCommandAckPayload, payload);
    const command = await this.storage.updateCommand(deviceId, ack.id, OPEN_COMMAND_STATUSES, {
      status: ack.status,
      completedAt: now,
      deliveredAt: now,
      ...(ack.result !== undefined ? { result: ack.result } : {}),
      ...(ack.error !== undefined ? { error: ack.error } : {}),
    });
    if (!command) {
      const existing = await this.storage.getCommand(deviceId, ack.id);
      throw existing ? new FluxgateError('COMMAND_CLOSED', `Command ${ack.id} is already ${existing.status}`) : new FluxgateError('COMMAND_NOT_FOUND', `Command ${ack.id} not found`);
    }
    this.bus.emit('command.updated', { command });
    return command;
  }

  async expire(now = Date.now()): Promise<void> {
    for (const command of await this.storage.expireCommands(now)) this.bus.emit('command.updated', { command });
  }

  async putDesired(principal: Principal, deviceId: string, patch: Record<string, unknown>, now = Date.now()): Promise<DesiredState> {
    const device = await this.access.require(principal, deviceId, 'control');
    await this.profiles.checkDesired(device, patch);
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.storage.getDesiredState(deviceId);
      const next = mergeDesired(current?.desired ?? {}, patch);
      const state = await this.storage.putDesiredState(deviceId, next, current?.version ?? 0, now);
      if (state) {
        this.bus.emit('state.desired', { state });
        return state;
      }
    }
    throw new FluxgateError('STATE_CONFLICT');
  }

  async state(principal: Principal, deviceId: string): Promise<DeviceStateView> {
    await this.access.require(principal, deviceId, 'read');
    return this.stateOf(deviceId);
  }

  /** Desired (stored), reported (latest telemetry per field) and their delta. */
  async stateOf(deviceId: string): Promise<DeviceStateView> {
    const [desired, latest] = await Promise.all([this.storage.getDesiredState(deviceId), this.storage.latestPoints(deviceId)]);
    const reported: Record<string, unknown> = {};
    for (const p of latest) reported[p.field] = p.value;
    const wanted = desired?.desired ?? {};
    return { desired: wanted, reported, delta: desiredDelta(wanted, reported), version: desired?.version ?? 0, updatedAt: desired?.updatedAt ?? null };
  }

  desiredOf(deviceId: string): Promise<DesiredState | undefined> {
    return this.storage.getDesiredState(deviceId);
  }

  /** Commands not yet delivered, oldest first (re-sent when a device subscribes again). */
  pendingOf(deviceId: string): Promise<Command[]> {
    return this.storage.listCommands(deviceId, { statuses: ['pending'], limit: 100, order: 'asc' });
  }
}

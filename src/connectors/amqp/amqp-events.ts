// Publishes platform events to a topic exchange (`fluxgate.events`), persistent, with publisher
// confirms, under routing keys named like the Energy Management System's sync events:
// user.created, device.created, device.updated, device.deleted, device.assigned, device.unassigned,
// points.stored, device.status, command.created, command.updated, state.desired, alarm.<kind>
// (raised, acknowledged, cleared, …).
// Events are sent as they happen; while RabbitMQ is unreachable up to `maxBuffered` wait, and beyond
// that the oldest are dropped and counted (the stored data stays in Fluxgate, queryable).
import type { ConfirmChannel } from 'amqplib';
import type { EventBus } from '../../services/event-bus.ts';

export interface AmqpEvent {
  routingKey: string;
  body: Record<string, unknown>;
}

export interface AmqpEventCounters {
  published: number;
  dropped: number;
}

const OWNER = 'amqp-events';

/** The bus events as they leave: one message per device for points, ISO times, snake_case. */
export function subscribeEvents(bus: EventBus, send: (e: AmqpEvent) => void): () => void {
  bus.on('points.stored', OWNER, ({ points }) => {
    const byDevice = new Map<string, Array<{ field: string; ts: string; value: unknown }>>();
    for (const p of points) {
      let list = byDevice.get(p.deviceId);
      if (!list) byDevice.set(p.deviceId, (list = []));
      list.push({ field: p.field, ts: new Date(p.ts).toISOString(), value: p.value });
    }
    for (const [deviceId, list] of byDevice) send({ routingKey: 'points.stored', body: { device_id: deviceId, points: list } });
  });
  bus.on('device.status', OWNER, (e) => send({ routingKey: 'device.status', body: { device_id: e.deviceId, online: e.online, at: new Date(e.at).toISOString(), reason: e.reason } }));
  bus.on('device.created', OWNER, (e) => send({ routingKey: 'device.created', body: { device_id: e.deviceId, owner_id: e.ownerId, device_type: e.deviceType } }));
  bus.on('device.assigned', OWNER, (e) => send({ routingKey: 'device.assigned', body: { device_id: e.deviceId, user_id: e.userId, level: e.level } }));
  bus.on('access.changed', OWNER, (e) => {
    if (e.reason !== 'unshared' || !e.deviceIds || !e.userIds) return;
    for (const deviceId of e.deviceIds) for (const userId of e.userIds) send({ routingKey: 'device.unassigned', body: { device_id: deviceId, user_id: userId } });
  });
  bus.on('user.created', OWNER, (e) => send({ routingKey: 'user.created', body: { user_id: e.userId, username: e.username, role: e.role } }));
  bus.on('alarm.changed', OWNER, ({ alarm: a, kind, at, userId, comment }) =>
    send({
      routingKey: `alarm.${kind}`,
      body: { alarm_id: a.id, rule_id: a.ruleId, rule_name: a.ruleName, device_id: a.deviceId, severity: a.severity, state: a.state, at: new Date(at).toISOString(), user_id: userId, comment },
    }),
  );
  bus.on('device.updated', OWNER, (e) => send({ routingKey: 'device.updated', body: { device_id: e.deviceId } }));
  bus.on('device.deleted', OWNER, (e) => send({ routingKey: 'device.deleted', body: { device_id: e.deviceId } }));
  for (const event of ['command.created', 'command.updated'] as const) {
    bus.on(event, OWNER, ({ command: c }) => send({ routingKey: event, body: { device_id: c.deviceId, command_id: c.id, command: c.command, status: c.status } }));
  }
  bus.on('state.desired', OWNER, ({ state }) => send({ routingKey: 'state.desired', body: { device_id: state.deviceId, desired: state.desired } }));
  return () => bus.removeOwner(OWNER);
}

export class AmqpEventPublisher {
  readonly counters: AmqpEventCounters = { published: 0, dropped: 0 };
  private channel: ConfirmChannel | undefined;
  private readonly buffer: AmqpEvent[] = [];

  constructor(
    private readonly exchange: string,
    private readonly maxBuffered = 10_000,
  ) {}

  /** A (re)connected confirm channel: what waited is sent first. */
  attach(channel: ConfirmChannel): void {
    this.channel = channel;
    channel.on('close', () => {
      if (this.channel === channel) this.channel = undefined;
    });
    for (const e of this.buffer.splice(0)) this.publish(e);
  }

  publish(e: AmqpEvent): void {
    const channel = this.channel;
    if (!channel) {
      if (this.buffer.length >= this.maxBuffered) {
        this.buffer.shift();
        this.counters.dropped++;
      }
      this.buffer.push(e);
      return;
    }
    const content = Buffer.from(JSON.stringify({ type: e.routingKey, ...e.body }));
    try {
      channel.publish(this.exchange, e.routingKey, content, { persistent: true, contentType: 'application/json', type: e.routingKey, timestamp: Math.floor(Date.now() / 1000) }, (err: unknown) => {
        if (err) this.counters.dropped++;
        else this.counters.published++;
      });
    } catch {
      this.counters.dropped++;
    }
  }

  /** Resolves once RabbitMQ confirmed everything published so far (or the channel is gone). */
  async flush(): Promise<void> {
    await this.channel?.waitForConfirms().catch(() => {});
  }
}

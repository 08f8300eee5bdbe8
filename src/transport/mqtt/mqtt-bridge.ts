// Device messages into Fluxgate. `devices/{id}/data` goes through the same IngestPipeline as HTTP.
// For QoS 1 the PUBACK is held until the points are committed: the packet is downgraded to QoS 0
// inside authorizePublish (so aedes sends no PUBACK of its own and keeps reading the socket) and
// this bridge writes the PUBACK after the commit, in the order the messages arrived [MQTT-4.6.0-2].
// An MQTT 5 device's refused messages take their place in that order, with a reason code.
import type { Client, PublishPacket } from 'aedes';
import { isFluxgateError } from '../../contract/errors.ts';
import type { MqttAcl, PublishRefusal } from './mqtt-acl.ts';
import type { MqttClients } from './mqtt-authenticate.ts';
import type { MqttDeps } from './mqtt-deps.ts';
import { parseMqttPayload } from './mqtt-payload.ts';
import { type MqttIdentity, principalOf } from '../../services/mqtt-policy.ts';
import type { MqttUserScope } from '../../services/mqtt-user-scope.ts';
import { STORAGE_UNAVAILABLE, commandReplyCode, disconnectCode, disconnectWithReason, failedPuback, isMqtt5, pubackCode } from './mqtt5-reasons.ts';

/** `refused`: storage could not take it; `rejected`: the broker refused it (MQTT 5 only, with `failure`). */
type Outcome = 'stored' | 'dropped' | 'refused' | 'rejected';

interface HeldAck {
  messageId: number;
  /** Undefined until the message is committed, dropped or refused. */
  outcome: Outcome | undefined;
  /** The MQTT 5 PUBACK reason code and string of a `rejected` message. */
  failure?: { code: number; reason: string };
}

/** A client's QoS 1 messages whose PUBACK is held, oldest first. */
interface ClientAcks {
  queue: HeldAck[];
  releaseScheduled: boolean;
}

const ignoreOutcome = (_outcome: Outcome): void => {};

/**
 * The success PUBACKs of the first `count` messages, in one buffer. The same bytes serve MQTT 5,
 * where reason code 0 and no properties may be left out [MQTT-3.4.2-1].
 */
function successPubacks(held: HeldAck[], count: number): Buffer {
  const bytes = Buffer.allocUnsafe(4 * count);
  for (let i = 0; i < count; i++) {
    const id = held[i]!.messageId;
    bytes[4 * i] = 0x40; // PUBACK
    bytes[4 * i + 1] = 2;
    bytes[4 * i + 2] = id >> 8;
    bytes[4 * i + 3] = id & 0xff;
  }
  return bytes;
}

export class MqttBridge {
  private readonly heldAcks = new WeakMap<Client, ClientAcks>();

  constructor(
    private readonly deps: MqttDeps,
    private readonly clients: MqttClients,
    private readonly acl: MqttAcl,
  ) {}

  readonly authorizePublish = (client: Client | null, packet: PublishPacket, done: (error?: Error | null) => void): void => {
    const refusal = this.acl.publishRefusal(client, packet);
    if (refusal !== null) return this.refuse(client, packet, refusal, done);
    const who = this.clients.identityOf(client);
    const scope = this.deps.policy.userScope;
    if (client && who && who.kind !== 'device' && scope?.handles(packet.topic)) return this.userCommand(client, who, scope, packet, done);
    if (!client || who?.kind !== 'device') return done(null);
    const parsed = this.deps.policy.topics.parse(packet.topic);
    if (!parsed) return done(null);
    this.deps.metrics.countMqttMessage(parsed.kind);
    const { deviceId } = parsed;
    if (parsed.kind === 'data') {
      this.store(client, packet, 'invalid_telemetry', (body, committed) => this.deps.pipeline.ingestThen(deviceId, body, committed));
    } else if (parsed.kind === 'logs' && this.deps.logs) {
      const logs = this.deps.logs;
      this.store(client, packet, 'invalid_logs', (body, committed) => logs.append(deviceId, body).then(() => committed(undefined), committed));
    } else if (parsed.kind === 'commands/ack') {
      this.commandAck(client, deviceId, packet);
    } else if (parsed.kind === 'commands/response') {
      this.commandResponse(client, deviceId, packet);
    }
    done(null);
  };

  /**
   * A user's (or admin's) message to a Home Assistant command topic: refused (connection closed,
   * as for any refused PUBLISH) unless they may control that device; else turned into desired
   * state or a command before the PUBACK, so an acknowledged command is stored. A command that
   * does not fit the device's profile is dropped and logged.
   */
  private userCommand(client: Client, who: Exclude<MqttIdentity, { kind: 'device' }>, scope: MqttUserScope, packet: PublishPacket, done: (error?: Error | null) => void): void {
    const principal = principalOf(who)!;
    const allowed = who.kind === 'admin' ? Promise.resolve(true) : scope.mayPublish(principal, packet.topic);
    allowed
      .then(async (ok) => {
        if (!ok) return this.refuse(client, packet, { kind: 'unauthorized', reason: 'no control access to this device' }, done);
        await scope.handle(principal, packet.topic, packet.payload.toString()).catch((err: unknown) => this.drop(client, packet, 'invalid_command', err));
        done(null);
      })
      .catch((err: unknown) => {
        this.drop(client, packet, 'invalid_command', err);
        done(null);
      });
  }

  /**
   * MQTT 3.1.1: the error closes the connection. MQTT 5: aedes answers an error with PUBACK/PUBREC
   * 0x87 and drops the message; a device's QoS 1 PUBACK is written here instead (its code, in
   * arrival order), and a QoS 0 message over the rate, or any message over the size limit, gets a
   * DISCONNECT with its reason, as no PUBACK can carry those codes.
   */
  private refuse(client: Client | null, packet: PublishPacket, refusal: PublishRefusal, done: (error?: Error | null) => void): void {
    const err = this.acl.refusePublish(client, packet, refusal);
    if (!client || !isMqtt5(client) || client.closed) return done(err);
    const disconnect = disconnectCode(refusal.kind);
    if (disconnect !== null && (packet.qos === 0 || refusal.kind === 'too_large')) {
      packet.qos = 0;
      disconnectWithReason(client, disconnect);
    } else if (packet.qos === 1 && this.clients.identityOf(client)?.kind === 'device') {
      this.holdAck(client, packet)('rejected', { code: pubackCode(refusal.kind), reason: refusal.reason });
    }
    done(err);
  }

  /**
   * Holds a QoS 1 message's PUBACK in the client's queue; the returned function settles it (after
   * commit, or at once for a message dropped), and PUBACKs leave in arrival order.
   */
  private holdAck(client: Client, packet: PublishPacket): (outcome: Outcome, failure?: HeldAck['failure']) => void {
    if (packet.qos !== 1) return ignoreOutcome;
    const held: HeldAck = { messageId: packet.messageId!, outcome: undefined };
    packet.qos = 0;
    let acks = this.heldAcks.get(client);
    if (!acks) this.heldAcks.set(client, (acks = { queue: [], releaseScheduled: false }));
    acks.queue.push(held);
    const state = acks;
    return (result, failure) => {
      held.outcome = result;
      if (failure) held.failure = failure;
      // One group commit settles many messages of a client at once: their PUBACKs go out together,
      // in one write, once every settlement of this turn has been recorded.
      if (state.releaseScheduled) return;
      state.releaseScheduled = true;
      process.nextTick(() => this.release(client, state));
    };
  }

  /** Writes the PUBACKs of the settled messages at the head of the queue; a refusal closes a 3.1.1 client. */
  private release(client: Client, acks: ClientAcks): void {
    acks.releaseScheduled = false;
    const { queue } = acks;
    let settled = 0;
    while (settled < queue.length && queue[settled]!.outcome !== undefined) settled++;
    if (settled === 0) return;
    const done = queue.splice(0, settled);
    // Nothing held any more: forget the queue, so an idle connection carries none (the next
    // QoS 1 message starts a new one; no settlement of this one is still to come).
    if (queue.length === 0) this.heldAcks.delete(client);
    if (client.closed) return;
    if (isMqtt5(client)) return this.releaseWithReasons(client, done);
    const refused = done.findIndex((h) => h.outcome === 'refused');
    const acked = refused === -1 ? done.length : refused;
    if (acked > 0) client.conn.write(successPubacks(done, acked));
    if (refused !== -1) {
      // Storage cannot take it: no PUBACK. Closing makes the device resend on reconnect.
      queue.length = 0;
      client.close();
    }
  }

  /** MQTT 5: every settled message gets its PUBACK, refused ones with a reason code; the connection stays. */
  private releaseWithReasons(client: Client, done: HeldAck[]): void {
    if (done.every((h) => h.outcome === 'stored' || h.outcome === 'dropped')) return void client.conn.write(successPubacks(done, done.length));
    const packets: Buffer[] = [];
    for (let i = 0; i < done.length; i++) {
      const held = done[i]!;
      const failure = held.outcome === 'refused' ? STORAGE_UNAVAILABLE : held.failure;
      packets.push(failure ? failedPuback(client, held.messageId, failure.code, failure.reason) : successPubacks(done.slice(i, i + 1), 1));
    }
    client.conn.write(packets.length === 1 ? packets[0]! : Buffer.concat(packets));
  }

  /** Parses the payload and commits it; the PUBACK of a QoS 1 message waits for the outcome. */
  private store(client: Client, packet: PublishPacket, invalidReason: string, commit: (body: unknown, committed: (err: unknown) => void) => void): void {
    const settle = this.holdAck(client, packet);
    const parsed = parseMqttPayload(packet.payload);
    if (!parsed.ok) {
      this.drop(client, packet, parsed.invalid === 'json' ? 'invalid_json' : invalidReason, parsed.error);
      return settle('dropped');
    }
    commit(parsed.body, (err) => settle(this.outcome(client, packet, err, invalidReason)));
  }

  /** A commit's result as the PUBACK sees it: storage unavailable is refused (no PUBACK), invalid input dropped. */
  private outcome(client: Client, packet: PublishPacket, err: unknown, invalidReason: string): Outcome {
    if (err === undefined) return 'stored';
    if (isFluxgateError(err) && err.status === 503) {
      this.drop(client, packet, 'storage', err);
      return 'refused';
    }
    this.drop(client, packet, invalidReason, err);
    return 'dropped';
  }

  private commandAck(client: Client, deviceId: string, packet: PublishPacket): void {
    const parsed = parseMqttPayload(packet.payload);
    if (!parsed.ok) return this.drop(client, packet, 'invalid_ack', parsed.error);
    this.deps.commands.ack(deviceId, parsed.body).catch((err: unknown) => this.drop(client, packet, 'invalid_ack', err));
  }

  /**
   * MQTT 5 request/response: a reply on the Response Topic of a command, its Correlation Data the
   * command id. It acks the command as `commands/ack` does; the PUBACK waits for the ack to be stored,
   * and a reply naming no command of this device (another device's) gets PUBACK 0x87.
   */
  private commandResponse(client: Client, deviceId: string, packet: PublishPacket): void {
    const settle = this.holdAck(client, packet);
    const correlation = (packet as { properties?: { correlationData?: Buffer } }).properties?.correlationData;
    const parsed = parseMqttPayload(packet.payload);
    const refuse = (err: unknown) => {
      this.drop(client, packet, 'invalid_ack', err);
      const code = isFluxgateError(err) ? err.code : undefined;
      settle('rejected', { code: commandReplyCode(code), reason: (err as Error).message });
    };
    if (!correlation || correlation.length === 0) return refuse(new Error('a reply on commands/response needs the command id as Correlation Data'));
    if (!parsed.ok) return refuse(parsed.error);
    this.deps.commands.respond(deviceId, correlation.toString('utf8'), parsed.body).then(
      () => settle('stored'),
      (err: unknown) => (isFluxgateError(err) && err.status === 503 ? settle(this.outcome(client, packet, err, 'invalid_ack')) : refuse(err)),
    );
  }

  private drop(client: Client, packet: PublishPacket, reason: string, err: unknown): void {
    this.deps.metrics.mqttDropped.inc({ reason });
    this.deps.logger.warn({ clientId: client.id, topic: packet.topic, reason, detail: (err as Error).message }, 'MQTT message dropped');
  }
}

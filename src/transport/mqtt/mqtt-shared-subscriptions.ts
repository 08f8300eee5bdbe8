// Shared subscriptions, `$share/{group}/{filter}` [MQTT-4.8.2], on the embedded broker: each message
// matching the filter goes to one connected member of the group, in turn (round-robin). aedes
// 2.0.0-beta.1 refuses them (SUBACK 0x9E, and CONNACK says they are unavailable), so Fluxgate does it:
// - before aedes reads a SUBSCRIBE or UNSUBSCRIBE, each `$share/g/f` filter is renamed
//   `$fluxgate-share/g/f`, which aedes stores, restores and removes like any filter but which no
//   message is published to (the broker never forwards one on such a topic);
// - the ACL (authorizeSubscribe) lets a client in when it may read the whole filter `f` (admins), and
//   it then joins the group, restored sessions included; it leaves on UNSUBSCRIBE or disconnect;
// - a group holds one subscription of its own on `f` that hands each message to the next member,
//   at the QoS that member was granted [MQTT-4.8.2-3];
// - CONNACK advertises Shared Subscription Available = 1.
// A member whose session outlives its connection stays in the group while offline: when no member is
// connected, a QoS 1/2 message waits in such a member's session. Groups are rebuilt as members
// connect, so after a restart a group's offline members count once they reconnect.
import type { Aedes, Client, Subscription } from 'aedes';
import mqttPacket from 'mqtt-packet';
import { ownDeliver } from './mqtt-overlap.ts';
import { disconnectWithReason, isMqtt5 } from './mqtt5-reasons.ts';

const SHARE_PREFIX = '$share/';
/** What a `$share/` filter becomes inside aedes. */
export const SHARED_MARKER = '$fluxgate-share/';
/** What a malformed `$share/` filter becomes: refused by the ACL [MQTT-4.8.2-1] [MQTT-4.8.2-2]. */
const MALFORMED = '$fluxgate-share-malformed';
const PROTOCOL_ERROR = 0x82;

interface WirePacket {
  cmd: string;
  subscriptions?: Array<{ topic: string; nl?: boolean }>;
  unsubscriptions?: string[];
}

interface PacketHook {
  prependListener(event: 'packet', listener: (packet: WirePacket) => void): void;
}

/** `{group, filter}` of a well-formed `$share/{group}/{filter}`, else undefined. */
export function parseSharedFilter(topic: string): { group: string; filter: string } | undefined {
  if (!topic.startsWith(SHARE_PREFIX)) return undefined;
  const rest = topic.slice(SHARE_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const group = rest.slice(0, slash);
  const filter = rest.slice(slash + 1);
  if (/[+#]/.test(group) || filter.length === 0) return undefined;
  return { group, filter };
}

/** Malformed filters are numbered: aedes merges equal filters of a SUBSCRIBE, and each needs its code in SUBACK. */
function renamed(topic: string, index: number): string {
  if (!topic.startsWith(SHARE_PREFIX)) return topic;
  return parseSharedFilter(topic) ? SHARED_MARKER + topic.slice(SHARE_PREFIX.length) : `${MALFORMED}/${index}`;
}

/** The group and filter behind a renamed filter; `malformed` for a `$share/` filter that broke the rules. */
export function sharedOf(topic: string): { group: string; filter: string } | 'malformed' | undefined {
  if (topic.startsWith(`${MALFORMED}/`)) return 'malformed';
  if (!topic.startsWith(SHARED_MARKER)) return undefined;
  return parseSharedFilter(SHARE_PREFIX + topic.slice(SHARED_MARKER.length));
}

/** For each connection, before any packet is read: renames `$share/` filters (see above). */
export function renameSharedFilters(client: Client, parser: PacketHook): void {
  parser.prependListener('packet', (packet) => {
    if (packet.cmd === 'subscribe' && packet.subscriptions) {
      for (const [index, sub] of packet.subscriptions.entries()) {
        if (!sub.topic.startsWith(SHARE_PREFIX)) continue;
        // [MQTT-3.8.3-4] No Local on a shared subscription is a Protocol Error.
        if (sub.nl && isMqtt5(client)) {
          packet.subscriptions = [];
          disconnectWithReason(client, PROTOCOL_ERROR);
          return;
        }
        sub.topic = renamed(sub.topic, index);
      }
    } else if (packet.cmd === 'unsubscribe' && packet.unsubscriptions) {
      packet.unsubscriptions = packet.unsubscriptions.map((topic, index) => renamed(topic, index));
    }
  });
}

const advertised = new WeakSet<object>();
let connackPatched = false;

/**
 * CONNACK of this connection says Shared Subscription Available = 1. aedes writes its CONNACK with
 * `sharedSubscriptionAvailable: false` and offers no option; mqtt-packet's writeToStream, which
 * aedes looks up on every write, is wrapped once to flip it for the connections registered here.
 */
export function advertiseSharedSubscriptions(conn: object): void {
  advertised.add(conn);
  if (connackPatched) return;
  connackPatched = true;
  const packets = mqttPacket as unknown as { writeToStream: (packet: { cmd: string; properties?: Record<string, unknown> }, stream: object, opts?: unknown) => boolean };
  const write = packets.writeToStream;
  packets.writeToStream = (packet, stream, opts) => {
    if (packet.cmd === 'connack' && packet.properties?.sharedSubscriptionAvailable === false && advertised.has(stream)) {
      packet.properties.sharedSubscriptionAvailable = true;
    }
    return write(packet, stream, opts);
  };
}

type Deliver = (packet: DeliveredPacket, cb: () => void) => void;
interface DeliveredPacket {
  topic: string;
  qos: number;
  retain: boolean;
}
interface Member {
  clientId: string;
  /** Undefined while a member whose session outlives its connection is offline. */
  client: Client | undefined;
  qos: number;
  retainAsPublished: boolean;
}
interface Group {
  filter: string;
  members: Member[];
  next: number;
  listener: Deliver;
}

type QueuingPersistence = { outgoingEnqueue(sub: { clientId: string }, packet: object): Promise<void> };

/** The groups of one broker, keyed by renamed filter (`$fluxgate-share/{group}/{filter}`). */
export class SharedSubscriptions {
  private readonly groups = new Map<string, Group>();
  /** The groups each connection is a member of. */
  private readonly memberships = new WeakMap<Client, Set<string>>();

  private aedes: Aedes | undefined;

  attach(aedes: Aedes): void {
    this.aedes = aedes;
    aedes.on('unsubscribe', (filters: string[], client: Client) => {
      for (const key of filters) if (key.startsWith(SHARED_MARKER)) this.leave(key, (m) => m.client === client);
    });
    // A session that outlives its connection stays a member, offline; a clean one leaves.
    aedes.on('clientDisconnect', (client: Client) => {
      for (const key of this.memberships.get(client) ?? []) {
        if (client.clean) this.leave(key, (m) => m.client === client);
        else for (const m of this.groups.get(key)?.members ?? []) if (m.client === client) m.client = undefined;
      }
      this.memberships.delete(client);
    });
    // Registered after its session was restored: an offline member that did not join again started clean.
    aedes.on('client', (client: Client) => this.leaveAll((m) => m.clientId === client.id && m.client === undefined));
    aedes.on('sessionExpired', (client: Client) => this.leaveAll((m) => m.clientId === client.id && m.client === undefined));
  }

  /** Called by the ACL once `client` may have `subscription` (a renamed shared filter), restored ones too. */
  join(client: Client, subscription: Subscription): void {
    const shared = sharedOf(subscription.topic);
    const aedes = this.aedes;
    if (!shared || shared === 'malformed' || !aedes) return;
    const key = subscription.topic;
    let group = this.groups.get(key);
    if (!group) {
      const created: Group = { filter: shared.filter, members: [], next: 0, listener: (packet, cb) => this.dispatch(created, packet, cb) };
      group = created;
      this.groups.set(key, group);
      aedes.subscribe(shared.filter, group.listener as never, () => {});
    }
    const member: Member = { clientId: client.id, client, qos: subscription.qos, retainAsPublished: (subscription as { rap?: boolean }).rap === true };
    const at = group.members.findIndex((m) => m.clientId === client.id);
    if (at === -1) group.members.push(member);
    else group.members[at] = member;
    let mine = this.memberships.get(client);
    if (!mine) this.memberships.set(client, (mine = new Set()));
    mine.add(key);
  }

  /** Members of a group, connected or not (for tests). */
  membersOf(group: string, filter: string): number {
    return this.groups.get(`${SHARED_MARKER}${group}/${filter}`)?.members.length ?? 0;
  }

  private leaveAll(which: (m: Member) => boolean): void {
    for (const key of [...this.groups.keys()]) this.leave(key, which);
  }

  private leave(key: string, which: (m: Member) => boolean): void {
    const group = this.groups.get(key);
    if (!group) return;
    for (const m of group.members) if (m.client && which(m)) this.memberships.get(m.client)?.delete(key);
    group.members = group.members.filter((m) => !which(m));
    if (group.members.length > 0) return;
    this.groups.delete(key);
    this.aedes?.unsubscribe(group.filter, group.listener as never, () => {});
  }

  /**
   * Hands `packet` to the next connected member; with none connected, a QoS 1/2 message waits in the
   * session of the next offline one. A `$` topic never matches a leading wildcard [MQTT-4.7.2-1].
   */
  private dispatch(group: Group, packet: DeliveredPacket, cb: () => void): void {
    if (packet.topic.startsWith('$') && /^[+#]/.test(group.filter)) return cb();
    const { members } = group;
    let offline: number | undefined;
    for (let tried = 0; tried < members.length; tried++) {
      const at = (group.next + tried) % members.length;
      const member = members[at]!;
      if (member.client && !member.client.closed) {
        group.next = (at + 1) % members.length;
        return this.send(member, member.client, packet, cb);
      }
      if (!member.client && offline === undefined) offline = at;
    }
    if (offline === undefined || packet.qos === 0) return cb();
    group.next = (offline + 1) % members.length;
    const member = members[offline]!;
    this.persistence().outgoingEnqueue({ clientId: member.clientId }, this.copyFor(member, packet)).then(
      () => cb(),
      () => cb(),
    );
  }

  private send(member: Member, client: Client, packet: DeliveredPacket, cb: () => void): void {
    const copy = this.copyFor(member, packet);
    const deliver = ownDeliver(client);
    if (copy.qos === 0) return deliver.deliver0(copy, cb);
    if (client.clean) return deliver.deliverQoS(copy, cb);
    // A session that outlives its connection keeps the message until it is acknowledged, as aedes
    // does for its own subscriptions (it expects the message in the session's queue).
    this.persistence().outgoingEnqueue({ clientId: client.id }, copy).then(
      () => deliver.deliverQoS(copy, cb),
      () => cb(),
    );
  }

  private copyFor(member: Member, packet: DeliveredPacket): DeliveredPacket {
    return { ...packet, qos: Math.min(packet.qos, member.qos), retain: member.retainAsPublished && packet.retain };
  }

  private persistence(): QueuingPersistence {
    return (this.aedes as unknown as { persistence: QueuingPersistence }).persistence;
  }
}

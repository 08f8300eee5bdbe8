// Overlapping subscriptions [MQTT-3.3.5-1]: aedes sends a client one copy of a message, at the QoS
// of whichever matching subscription its matcher returns first ('a/#' at QoS 0 can win over 'a/b'
// at QoS 1). The standard asks for the highest QoS among the client's matching subscriptions, so
// a client's deliver functions are wrapped before any subscription captures them: in
// authorizeSubscribe, which aedes calls before adding each subscription (restored ones included).
// Only clients whose filters can overlap (wildcards: admins) are wrapped; devices keep aedes' own.
import type { Client } from 'aedes';

type Deliver = (packet: { topic: string; qos: number }, cb: () => void) => void;

interface DeliveringClient {
  deliver0: Deliver;
  deliverQoS: Deliver;
  subscriptions: Record<string, { qos: number }>;
}

/** Whether topic filter `filter` matches topic name `topic` (no $-topic through a leading wildcard). */
export function filterMatches(filter: string, topic: string): boolean {
  if (filter === topic) return true;
  if ((filter.startsWith('#') || filter.startsWith('+')) && topic.startsWith('$')) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

function highestGranted(client: DeliveringClient, topic: string): number {
  let best = -1;
  for (const [filter, sub] of Object.entries(client.subscriptions)) {
    if (sub.qos > best && filterMatches(filter, topic)) best = sub.qos;
  }
  return best;
}

const wrapped = new WeakSet<Client>();

/** Idempotent: wraps `aedesClient`'s deliver functions the first time it is called for it. */
export function deliverAtHighestQos(aedesClient: Client): void {
  if (wrapped.has(aedesClient)) return;
  wrapped.add(aedesClient);
  const client = aedesClient as unknown as DeliveringClient;
  const deliver0 = client.deliver0;
  const deliverQoS = client.deliverQoS;
  const route: Deliver = (packet, cb) => {
    const granted = highestGranted(client, packet.topic);
    // Messages no subscription matches (the broker's own publishes to this client) pass as they are.
    if (granted >= 0) packet.qos = Math.min(packet.qos, granted);
    if (packet.qos > 0) deliverQoS(packet, cb);
    else deliver0(packet, cb);
  };
  // Only subscription deliveries pass through here: each gets its own packet copy, so setting qos is safe.
  client.deliver0 = (packet, cb) => (packet.qos > 0 ? route(packet, cb) : deliver0(packet, cb));
  client.deliverQoS = route;
}

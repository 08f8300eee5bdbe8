// Overlapping subscriptions [MQTT-3.3.5-1]: aedes sends a client one copy of a message, at the QoS
// of whichever matching subscription its matcher returns first ('a/#' at QoS 0 can win over 'a/b'
// at QoS 1). The standard asks for the highest QoS among the client's matching subscriptions, so
// a client's deliver functions are wrapped before any subscription captures them: in
// authorizeSubscribe, which aedes calls before adding each subscription (restored ones included).
// Only clients whose filters can overlap (wildcards: admins) are wrapped; devices keep aedes' own.
// aedes then lowers a message on topic T once more, to the QoS of the client's subscription whose
// filter is T itself (deliverQoS in aedes/lib/client.js); so such an exact filter, while a wildcard
// filter of the same client matches it with a higher QoS, holds that higher QoS in aedes's record.
import type { Aedes, Client } from 'aedes';

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

function isWildcard(filter: string): boolean {
  return filter.includes('+') || filter.includes('#');
}

/** The granted QoS of the exact-filter subscriptions whose aedes record holds a higher one. */
const grantedQos = new WeakMap<object, number>();

/** Sets each exact filter's recorded QoS to the highest of its own and the wildcard filters matching it. */
function liftExactFilters(client: DeliveringClient): void {
  const entries = Object.entries(client.subscriptions);
  const wildcards = entries.filter(([filter]) => isWildcard(filter));
  for (const [filter, sub] of entries) {
    if (isWildcard(filter)) continue;
    const granted = grantedQos.get(sub) ?? sub.qos;
    let qos = granted;
    for (const [wildcard, w] of wildcards) if (w.qos > qos && filterMatches(wildcard, filter)) qos = w.qos;
    sub.qos = qos;
    if (qos > granted) grantedQos.set(sub, granted);
    else grantedQos.delete(sub);
  }
}

/** Keeps the exact filters lifted (see above) across every change of a client's subscriptions. */
export function liftExactFiltersOn(aedes: Aedes): void {
  aedes.on('subscribe', (subscriptions, aedesClient) => {
    const client = aedesClient as unknown as DeliveringClient;
    // aedes keeps a record in place when it is subscribed again at the QoS it holds: that is now its
    // granted QoS. A refused filter (granted 0x80, though typed as a QoS) left its record as it was.
    for (const { topic, qos } of subscriptions) {
      const sub = client.subscriptions[topic];
      if (sub && qos <= 2) grantedQos.delete(sub);
    }
    liftExactFilters(client);
  });
  aedes.on('unsubscribe', (_filters, client) => liftExactFilters(client as unknown as DeliveringClient));
  // A persistent session's subscriptions are restored without a 'subscribe' event.
  aedes.on('client', (client) => liftExactFilters(client as unknown as DeliveringClient));
}

function highestGranted(client: DeliveringClient, topic: string): number {
  let best = -1;
  for (const [filter, sub] of Object.entries(client.subscriptions)) {
    if (sub.qos > best && filterMatches(filter, topic)) best = sub.qos;
  }
  return best;
}

/** The deliver functions aedes gave each wrapped client. */
const wrapped = new WeakMap<Client, Pick<DeliveringClient, 'deliver0' | 'deliverQoS'>>();

/** aedes' own deliver functions of a client, wrapped or not (a shared subscription sets the QoS itself). */
export function ownDeliver(aedesClient: Client): Pick<DeliveringClient, 'deliver0' | 'deliverQoS'> {
  return wrapped.get(aedesClient) ?? (aedesClient as unknown as DeliveringClient);
}

/** Idempotent: wraps `aedesClient`'s deliver functions the first time it is called for it. */
export function deliverAtHighestQos(aedesClient: Client): void {
  if (wrapped.has(aedesClient)) return;
  const client = aedesClient as unknown as DeliveringClient;
  const deliver0 = client.deliver0;
  const deliverQoS = client.deliverQoS;
  wrapped.set(aedesClient, { deliver0, deliverQoS });
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

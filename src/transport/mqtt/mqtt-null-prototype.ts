// aedes 2.0.0-beta.1 keys plain objects by names from the wire (client ids, topic filters): the
// client id 'constructor' reads back as a connected client and the filter '__proto__' as a
// subscription, and either throws inside aedes and takes the process down. aedes 1.2 fixed this
// (GHSA-52qw-whmv-87c5) with prototype-less objects; the 2 beta predates the fix, so the same
// objects are swapped in here while they are still empty. Remove once aedes 2 carries the fix.
import type { Aedes, Client } from 'aedes';

function nullPrototype(owner: object, keys: string[]): void {
  const o = owner as Record<string, unknown>;
  for (const key of keys) {
    const current = o[key];
    if (typeof current !== 'object' || current === null) throw new Error(`aedes changed: ${key} is not an object`);
    if (Object.getPrototypeOf(current) === null) continue;
    if (Object.keys(current).length > 0) throw new Error(`aedes changed: ${key} is already in use`);
    o[key] = Object.create(null);
  }
}

/** Once, right after the broker is created. */
export function nullPrototypeBroker(aedes: Aedes): void {
  nullPrototype(aedes, ['clients', 'brokers']);
}

export interface PacketSource {
  prependListener(event: 'packet', listener: (packet: { cmd: string; subscriptions?: Array<{ topic: string }> }) => void): void;
}

/**
 * For each connection, right after aedes made its Client and before any packet is read. A SUBSCRIBE
 * of several filters is deduplicated by aedes through a plain object, where the filter '__proto__'
 * becomes garbage subscriptions that throw: such a SUBSCRIBE closes the connection instead.
 */
export function nullPrototypeClient(client: Client, parser: PacketSource): void {
  nullPrototype(client, ['subscriptions', 'duplicates']);
  parser.prependListener('packet', (packet) => {
    const subs = packet.subscriptions;
    if (packet.cmd !== 'subscribe' || !subs || subs.length < 2 || !subs.some((s) => s.topic === '__proto__')) return;
    packet.subscriptions = [];
    client.conn.destroy();
  });
}

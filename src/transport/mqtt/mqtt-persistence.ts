// aedes sessions, subscriptions, retained and queued messages in LevelDB under DATA_DIR/mqtt.
import path from 'node:path';
import { Readable } from 'node:stream';
// The package's main export is the callback flavour; aedes 1.x needs the async persistence.
import LevelPersistence from 'aedes-persistence-level/asyncPersistence.js';
import { ClassicLevel } from 'classic-level';
import msgpack from 'msgpack-lite';
import type { SessionOwners } from './mqtt-authenticate.ts';
import type { SessionDeadlines } from './mqtt5-session-expiry.ts';

/** Where aedes-persistence-level 9 keeps a retained message: this prefix + its topic, msgpack-encoded. */
const RETAINED_KEY_PREFIX = 'retained:';
/** Ours, beside aedes' keys (it reads only its own prefixes): the credential a persistent session belongs to. */
const SESSION_OWNER_KEY_PREFIX = 'fluxgate-session-owner:';
/** Ours too: when a disconnected MQTT 5 session expires (ms since the epoch), kept across restarts. */
const SESSION_EXPIRY_KEY_PREFIX = 'fluxgate-session-expires:';
/** aedes-persistence-level 9's keys of a client's queued messages: these + encodeURIComponent(id) + ':'. */
const OUTGOING_KEY_PREFIXES = ['outgoing:', 'outgoing-id:'];
const WILDCARD = /[+#]/;

/**
 * Sets DUP on queued QoS 1/2 messages that already went out once (they carry the packet identifier
 * they were sent with), as a re-delivery must [MQTT-3.3.1-1]; aedes resends them with DUP 0.
 * Messages queued while the client was offline have no identifier yet and keep DUP 0.
 */
function markRedeliveries(stream: Readable): Readable {
  return stream.map((packet: { cmd?: string; messageId?: number; dup?: boolean }) => {
    if (packet.cmd === 'publish' && packet.messageId) packet.dup = true;
    return packet;
  });
}

/**
 * A retained-message lookup still running when the broker closes would read from a closed
 * database and throw from a stream nobody listens to; once closing, such errors are moot.
 *
 * aedes looks retained messages up on every SUBSCRIBE, and aedes-persistence-level answers by
 * decoding every retained message in the store and matching each against the filter. With a
 * retained status (and desired state) per device, a fleet of N devices that subscribe to their
 * commands on connect cost N × N decodes: 10,000 devices took minutes of CPU to connect. A filter
 * without wildcards (every filter a device may use) names one topic, so it is one key lookup.
 */
export class MqttPersistence extends LevelPersistence {
  private closing = false;

  constructor(private readonly db: ClassicLevel<string, Buffer>) {
    super(db);
  }

  /** Settles when every retained message stored so far is written. */
  private retainedWritten: Promise<unknown> = Promise.resolve();

  /**
   * One retained write at a time, in arrival order. aedes stores a retained message before routing
   * it and PUBACKs a QoS 1 publish first, so a publisher's next message can be stored while the
   * last is still being written; two LevelDB writes in flight may finish in either order, which
   * delivered them out of order to subscribers [MQTT-4.6.0-2] and could leave the older one retained.
   */
  override storeRetained(packet: { topic: string; payload: Buffer | string }): Promise<void> {
    const stored = this.retainedWritten.then(() => super.storeRetained(packet));
    this.retainedWritten = stored.catch(() => undefined);
    return stored;
  }

  override createRetainedStream(pattern: string): Readable {
    return this.guard(WILDCARD.test(pattern) ? super.createRetainedStream(pattern) : this.retainedExact([pattern]));
  }

  override createRetainedStreamCombi(patterns: string[]): Readable {
    return this.guard(patterns.some((p) => WILDCARD.test(p)) ? super.createRetainedStreamCombi(patterns) : this.retainedExact(patterns));
  }

  /** The retained messages of topic names (filters without wildcards), by key. */
  private retainedExact(topics: string[]): Readable {
    const db = this.db;
    return Readable.from(
      (async function* () {
        for (const topic of topics) {
          const blob = await db.get(RETAINED_KEY_PREFIX + topic);
          if (blob !== undefined) yield msgpack.decode(blob);
        }
      })(),
    );
  }

  /**
   * Who made each persistent session, kept in the same store as the sessions, so a restart does not
   * open a session (its subscriptions and queued messages) to another credential. Read once here and
   * kept in memory (one entry per persistent session), so a CONNECT reads nothing from disk.
   */
  async sessionOwners(): Promise<SessionOwners> {
    const owners = new Map<string, string>();
    const range = { gte: SESSION_OWNER_KEY_PREFIX, lt: `${SESSION_OWNER_KEY_PREFIX.slice(0, -1)};` };
    for await (const [key, value] of this.db.iterator(range)) owners.set(key.slice(SESSION_OWNER_KEY_PREFIX.length), value.toString('utf8'));
    const db = this.db;
    return {
      ownerOf: (clientId) => owners.get(clientId),
      async bind(clientId, owner) {
        owners.set(clientId, owner);
        await db.put(SESSION_OWNER_KEY_PREFIX + clientId, Buffer.from(owner, 'utf8'));
      },
      async unbind(clientId) {
        owners.delete(clientId);
        await db.del(SESSION_OWNER_KEY_PREFIX + clientId);
      },
    };
  }

  /**
   * When each disconnected MQTT 5 session expires, beside the sessions (mqtt5-session-expiry.ts).
   * Read once here and kept in memory; writes go one at a time, in the order they were asked for.
   */
  async sessionDeadlines(): Promise<SessionDeadlines> {
    const deadlines = new Map<string, number>();
    const range = { gte: SESSION_EXPIRY_KEY_PREFIX, lt: `${SESSION_EXPIRY_KEY_PREFIX.slice(0, -1)};` };
    for await (const [key, value] of this.db.iterator(range)) deadlines.set(key.slice(SESSION_EXPIRY_KEY_PREFIX.length), Number(value.toString('utf8')));
    const db = this.db;
    let written: Promise<unknown> = Promise.resolve();
    const inOrder = (write: () => Promise<unknown>) => {
      const done = written.then(write);
      written = done.catch(() => undefined);
      return done.then(() => undefined);
    };
    return {
      entries: () => [...deadlines],
      has: (clientId) => deadlines.has(clientId),
      set(clientId, at) {
        deadlines.set(clientId, at);
        return inOrder(() => db.put(SESSION_EXPIRY_KEY_PREFIX + clientId, Buffer.from(String(at), 'utf8')));
      },
      delete(clientId) {
        deadlines.delete(clientId);
        return inOrder(() => db.del(SESSION_EXPIRY_KEY_PREFIX + clientId));
      },
      flushed: () => written.then(() => undefined),
    };
  }

  /**
   * Ends a session aedes no longer times (its expiry passed while Fluxgate was down): its
   * subscriptions, queued messages and QoS 2 messages awaiting PUBREL.
   */
  async endSession(clientId: string): Promise<void> {
    const client = { id: clientId };
    await this.cleanSubscriptions(client);
    for (const prefix of OUTGOING_KEY_PREFIXES) {
      const start = `${prefix}${encodeURIComponent(clientId)}:`;
      await this.db.clear({ gte: start, lt: `${start.slice(0, -1)};` });
    }
    await this.dropIncoming(client);
  }

  /** Drops `client`'s QoS 2 messages still awaiting PUBREL (the package has it; its types leave it out). */
  async dropIncoming(client: { id: string }): Promise<void> {
    await (this as unknown as { cleanIncoming(c: { id: string }): Promise<void> }).cleanIncoming(client);
  }

  /** Session wipes under way, by client id: see cleanSubscriptions. */
  private readonly cleaning = new Map<string, Promise<unknown>>();

  /**
   * aedes ends an expired session by starting this and emitting `sessionExpired` at once; a client
   * connecting in between read the subscriptions not yet removed and resumed a half-ended session.
   * Reads of a client's subscriptions now wait for its wipe. The base method reads them itself
   * before its first await, so that read starts before the entry below exists and never waits for
   * its own wipe.
   */
  override cleanSubscriptions(client: { id: string }): Promise<void> {
    const done = super.cleanSubscriptions(client);
    const settled = done.catch(() => undefined);
    this.cleaning.set(client.id, settled);
    void settled.then(() => {
      if (this.cleaning.get(client.id) === settled) this.cleaning.delete(client.id);
    });
    return done;
  }

  override async subscriptionsByClient(client: { id: string }): Promise<Array<{ topic: string; qos: number }>> {
    await this.cleaning.get(client.id);
    return super.subscriptionsByClient(client);
  }

  override outgoingStream(client: { id: string }): Readable {
    return markRedeliveries(super.outgoingStream(client));
  }

  override async destroy(): Promise<void> {
    this.closing = true;
    await super.destroy();
  }

  private guard(stream: Readable): Readable {
    const onError = (err: Error) => {
      // Not closing and nobody else listening: fail as loudly as an unhandled stream error would.
      if (!this.closing && stream.listenerCount('error') === 1) throw err;
    };
    stream.on('error', onError);
    return stream;
  }
}

export async function openMqttPersistence(dataDir: string): Promise<MqttPersistence> {
  const location = path.join(dataDir, 'mqtt');
  const db = new ClassicLevel<string, Buffer>(location, { valueEncoding: 'buffer' });
  try {
    await db.open();
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') {
      throw new Error(`DATA_DIR=${dataDir} is in use by another Fluxgate process (${location} is locked): stop it or set DATA_DIR`, { cause: err });
    }
    throw new Error(`Cannot open MQTT session storage at ${location} (DATA_DIR): ${(err as Error).message}`, { cause: err });
  }
  return new MqttPersistence(db);
}

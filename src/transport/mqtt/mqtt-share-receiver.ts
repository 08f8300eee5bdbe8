// One connection of this node to the external broker, subscribed to the share group, that keeps many
// messages in flight. mqtt.js hands a connection's packets to handleMessage one at a time and sends
// the PUBACK (and reads the next packet) only when its callback is called, which would bound a node
// by one commit per connection. So handleMessage starts the work and releases mqtt.js at once; the
// PUBACK is written here when the work settles, so messages arriving together share a group commit.
//
// Acknowledgement: a PUBACK goes out only after `handle` said 'ack' (for telemetry: committed), and
// only on the connection the message arrived on. A message whose connection dropped meanwhile, or
// that `handle` withheld, gets none: the broker sends it again after the reconnect (persistent
// session), possibly a second time if it was stored; points with a timestamp are stored once.
//
// Order: on one connection the broker delivers in order and the pipeline commits in arrival order,
// so two messages of one device that reach the same connection are committed in the order they came.
// The share group spreads a device's messages over all connections of all nodes, so across
// connections there is no order: each point carries its timestamp and is stored by it.
import mqtt, { type MqttClient } from 'mqtt';

/** 'withhold': no PUBACK, and the connection is dropped so the broker redelivers (MQTT resends only on reconnect). */
export type ShareOutcome = 'ack' | 'withhold';

export interface ShareReceiverOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  /** Stable across restarts: the session (and what it holds unacknowledged) survives. Absent: clean session. */
  clientId: string | undefined;
  filters: string[];
  /**
   * Messages the broker may send before this connection acknowledges one (MQTT 5 Receive Maximum;
   * brokers default to far fewer: Mosquitto 20, EMQX 32). Also the most this connection takes
   * before it stops reading its socket, should a broker ignore the limit.
   */
  receiveMaximum: number;
  /** Calls `done` once, when the message is settled (for telemetry: committed or refused). */
  handle(topic: string, payload: Buffer, done: (outcome: ShareOutcome) => void): void;
  /** Called with the client as soon as it exists, before it has connected (publishes made now are queued). */
  onClient?: ((client: MqttClient) => void) | undefined;
  onError(err: unknown, what: string): void;
  onLost(): void;
}

export interface ShareReceiver {
  readonly client: MqttClient;
  /** Connected and subscribed. */
  readonly receiving: boolean;
  close(): Promise<void>;
}

/** Waiting at close for messages already taken: their PUBACK then goes out and they are not redelivered. */
const CLOSE_DRAIN_MS = 5000;
const DEFERRED = new Error('PUBACK deferred until commit');

export async function connectShareReceiver(options: ShareReceiverOptions): Promise<ShareReceiver> {
  const persistent = options.clientId !== undefined;
  // mqtt.connect, not connectAsync: handleMessage must be in place before the first packet. A
  // persistent session's queued messages arrive right behind the CONNACK, before an awaited connect
  // resumes, and mqtt.js's default handler would PUBACK them unstored.
  const client: MqttClient = mqtt.connect(options.url, {
    // MQTT 5 for Receive Maximum: with 3.1.1 the broker's own in-flight limit holds.
    protocolVersion: 5,
    clean: !persistent,
    // A persistent session outlives a disconnect only with an expiry (0xFFFFFFFF: never, as in 3.1.1).
    properties: { receiveMaximum: options.receiveMaximum, sessionExpiryInterval: persistent ? 0xffffffff : 0 },
    reconnectPeriod: 1000,
    clientId: options.clientId ?? `fluxgate-${Math.random().toString(36).slice(2, 12)}`,
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
  });

  options.onClient?.(client);
  // PUBACKs are small writes the broker waits for: Nagle's algorithm would hold them back.
  const noDelay = () => (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);

  let inFlight = 0;
  let resume: (() => void) | undefined;
  let drained: (() => void) | undefined;
  // PUBACKs settled in one turn of the event loop (a group commit) leave in one write. Without
  // reason code and properties a success PUBACK is 4 bytes, in MQTT 5 as in 3.1.1.
  let acks: number[] = [];
  let acksOn: typeof client.stream | undefined;
  const flushAcks = () => {
    const stream = acksOn;
    if (stream === undefined) return;
    const ids = acks;
    acks = [];
    acksOn = undefined;
    if (stream !== client.stream || stream.destroyed || !client.connected) return;
    const out = Buffer.allocUnsafe(ids.length * 4);
    for (let i = 0; i < ids.length; i++) {
      out[i * 4] = 0x40;
      out[i * 4 + 1] = 2;
      out.writeUInt16BE(ids[i]!, i * 4 + 2);
    }
    stream.write(out);
  };
  const puback = (stream: typeof client.stream, messageId: number) => {
    if (acksOn !== undefined && acksOn !== stream) flushAcks();
    if (acksOn === undefined) {
      acksOn = stream;
      process.nextTick(flushAcks);
    }
    acks.push(messageId);
  };

  client.handleMessage = (packet, callback) => {
    if (packet.cmd !== 'publish') return callback();
    const stream = client.stream;
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    inFlight++;
    options.handle(packet.topic, payload, (outcome) => {
      inFlight--;
      if (outcome === 'ack') {
        if (packet.qos > 0 && packet.messageId !== undefined) puback(stream, packet.messageId);
      } else if (stream === client.stream && !stream.destroyed) {
        stream.destroy();
      }
      if (resume && inFlight < options.receiveMaximum) {
        const next = resume;
        resume = undefined;
        next();
      }
      if (inFlight === 0) drained?.();
    });
    // Called with an error, the callback makes mqtt.js skip its own PUBACK and go on to the next
    // packet (mqtt 5.16 handlers/publish.js); called later, it holds the socket unread meanwhile.
    if (inFlight < options.receiveMaximum) callback(DEFERRED);
    else resume = () => callback(DEFERRED);
  };

  let subscribed = false;
  client.on('close', () => {
    if (subscribed) options.onLost();
    subscribed = false;
  });
  client.on('connect', () => {
    noDelay();
    void client.subscribeAsync(options.filters, { qos: 1 }).then(
      () => {
        subscribed = client.connected;
      },
      (err: unknown) => options.onError(err, 'MQTT subscribe failed'),
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error) => {
        client.off('connect', connected);
        reject(err);
      };
      const connected = () => {
        client.off('error', failed);
        resolve();
      };
      client.once('connect', connected);
      client.once('error', failed);
    });
  } catch (err) {
    await client.endAsync(true);
    throw err;
  }
  client.on('error', (err) => options.onError(err, 'MQTT external broker error'));
  await client.subscribeAsync(options.filters, { qos: 1 });
  subscribed = true;

  return {
    client,
    get receiving() {
      return subscribed && client.connected;
    },
    async close() {
      // Leave the share group first: the broker would otherwise keep queueing this (persistent,
      // now offline) session's share of device messages until the node came back.
      if (client.connected) await client.unsubscribeAsync(options.filters).catch(() => {});
      if (inFlight > 0) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          drained = resolve;
          timer = setTimeout(resolve, CLOSE_DRAIN_MS);
        });
        clearTimeout(timer);
      }
      await client.endAsync();
    },
  };
}

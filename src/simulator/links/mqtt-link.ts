// MQTT transport: one mqtt.js client per device, as a real device would hold. Username = device
// id, password = API key; telemetry at QoS 1 (the PUBACK means committed on the platform side);
// commands and desired state subscribed; a retained `offline` last will on the status topic.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Params } from '../model.ts';
import { MqttTopics, type MqttCommandAckPayload, type MqttCommandPayload, type MqttDesiredStatePayload } from './topics.ts';
import type { DeviceCredentials, DeviceLink, IncomingCommand, LinkHandlers, Transport } from './link.ts';
import { SendError } from './link.ts';

export interface MqttTransportOptions {
  /** Broker URL, e.g. mqtt://127.0.0.1:1883 */
  url: string;
  topicPrefix?: string;
  /** Seconds between reconnect attempts after an unplanned loss; 0 disables. */
  reconnectSeconds?: number;
  keepaliveSeconds?: number;
  connectTimeoutMs?: number;
}

const statusPayload = (status: 'online' | 'offline') => JSON.stringify({ status, timestamp: new Date().toISOString() });

function parseCommand(text: string): IncomingCommand | { error: string; id?: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { error: 'command payload is not JSON' };
  }
  const c = raw as Partial<MqttCommandPayload>;
  const id = typeof c?.id === 'string' ? c.id : undefined;
  if (typeof c?.command !== 'string') return { error: 'command payload has no "command"', ...(id ? { id } : {}) };
  if (!id) return { error: 'command payload has no "id"' };
  const parameters = c.parameters && typeof c.parameters === 'object' && !Array.isArray(c.parameters) ? (c.parameters as Params) : {};
  return { id, command: c.command, parameters };
}

export class MqttTransport implements Transport {
  readonly kind = 'mqtt';
  readonly topics: MqttTopics;
  private readonly links = new Set<MqttLink>();

  constructor(private readonly options: MqttTransportOptions) {
    this.topics = new MqttTopics(options.topicPrefix);
  }

  link(credentials: DeviceCredentials, handlers: LinkHandlers): DeviceLink {
    const link = new MqttLink(credentials, handlers, this.topics, this.options, () => this.links.delete(link));
    this.links.add(link);
    return link;
  }

  async close(): Promise<void> {
    await Promise.all([...this.links].map((l) => l.close()));
  }
}

class MqttLink implements DeviceLink {
  readonly id: string;
  private client: MqttClient | undefined;

  constructor(
    private readonly creds: DeviceCredentials,
    private readonly handlers: LinkHandlers,
    private readonly topics: MqttTopics,
    private readonly options: MqttTransportOptions,
    private readonly onClosed: () => void,
  ) {
    this.id = creds.id;
  }

  private clientOptions(): IClientOptions {
    return {
      protocolVersion: 4, // the embedded aedes broker speaks MQTT 3.1.1
      clientId: this.creds.id,
      username: this.creds.id,
      password: this.creds.apiKey,
      clean: true,
      keepalive: this.options.keepaliveSeconds ?? 60,
      connectTimeout: this.options.connectTimeoutMs ?? 10_000,
      reconnectPeriod: (this.options.reconnectSeconds ?? 5) * 1000,
      will: { topic: this.topics.status(this.creds.id), payload: Buffer.from(statusPayload('offline')), qos: 1, retain: true },
    };
  }

  async connect(): Promise<void> {
    const client = mqtt.connect(this.options.url, this.clientOptions());
    this.client = client;
    const { id } = this.creds;
    client.on('connect', () => {
      this.handlers.onConnection?.(true);
      // Announce and (re)subscribe on every connect: clean sessions forget subscriptions.
      client.publish(this.topics.status(id), statusPayload('online'), { qos: 1, retain: true });
      client.subscribe([this.topics.commands(id), this.topics.desiredState(id)], { qos: 1 }, (err) => {
        if (err) this.handlers.onError?.(err);
      });
    });
    client.on('close', () => this.handlers.onConnection?.(false));
    client.on('error', (err) => this.handlers.onError?.(err));
    client.on('message', (topic, payload) => this.onMessage(topic, payload.toString('utf8')));
    await new Promise<void>((resolve, reject) => {
      const onConnect = () => {
        client.off('error', onError);
        resolve();
      };
      const onError = (err: Error) => {
        client.off('connect', onConnect);
        client.end(true);
        reject(err);
      };
      client.once('connect', onConnect);
      client.once('error', onError);
    });
  }

  private onMessage(topic: string, text: string): void {
    const { id } = this.creds;
    if (topic === this.topics.commands(id)) {
      const parsed = parseCommand(text);
      if ('error' in parsed) {
        this.handlers.onError?.(new Error(`${id}: ${parsed.error}`));
        if (parsed.id) this.ack({ id: parsed.id, status: 'failed', error: parsed.error });
        return;
      }
      const result = this.handlers.onCommand(parsed);
      this.ack({ id: parsed.id, status: result.status, ...(result.result ? { result: result.result } : {}), ...(result.error ? { error: result.error } : {}) });
    } else if (topic === this.topics.desiredState(id)) {
      if (text.length === 0) return; // retained state cleared
      try {
        const d = JSON.parse(text) as MqttDesiredStatePayload;
        if (d && typeof d.desired === 'object' && d.desired !== null) this.handlers.onDesired(d.desired as Params, Number(d.version) || 0);
      } catch {
        this.handlers.onError?.(new Error(`${id}: desired state is not JSON`));
      }
    }
  }

  private ack(payload: MqttCommandAckPayload): void {
    this.client?.publish(this.topics.commandAck(this.creds.id), JSON.stringify(payload), { qos: 1 }, (err) => this.handlers.onAckSent?.(!err));
  }

  send(payload: string): Promise<void> {
    const client = this.client;
    if (!client?.connected) return Promise.reject(new SendError('not connected', false));
    return new Promise((resolve, reject) => {
      client.publish(this.topics.data(this.creds.id), payload, { qos: 1 }, (err) => {
        if (err) reject(new SendError(err.message, false));
        else resolve();
      });
    });
  }

  dropConnection(): void {
    // end(true) destroys the socket without a DISCONNECT packet, so the broker publishes the will.
    this.client?.end(true);
    this.client = undefined;
  }

  async reconnect(): Promise<void> {
    if (this.client) return;
    await this.connect();
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.onClosed();
    if (!client) return;
    if (client.connected) {
      await new Promise<void>((resolve) =>
        client.publish(this.topics.status(this.creds.id), statusPayload('offline'), { qos: 1, retain: true }, () => resolve()),
      );
    }
    await client.endAsync(false).catch(() => client.end(true));
  }
}

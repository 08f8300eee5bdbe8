// A client of Mosquitto's dynamic security plugin: JSON commands published on
// `$CONTROL/dynamic-security/v1`, answered on `…/v1/response` (one answer message per request
// message, one response per command, in order). Each request carries a correlation id, so answers
// meant for other admin clients (every subscriber of the response topic sees them) are ignored.
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';

const REQUEST_TOPIC = '$CONTROL/dynamic-security/v1';
const RESPONSE_TOPIC = `${REQUEST_TOPIC}/response`;
/** Commands per request message: a resync of many devices is sent in slices of this size. */
const BATCH = 100;

export type DynsecCommand = { command: string } & Record<string, unknown>;

export interface DynsecResponse {
  command: string;
  error?: string;
  data?: unknown;
}

export interface DynsecControlOptions {
  url: string;
  username: string;
  password: string;
  /** How long one request may wait for its answer. */
  timeoutMs?: number;
}

interface Pending {
  resolve(responses: DynsecResponse[]): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class DynsecControl {
  private readonly pending = new Map<string, Pending>();
  private sequence = 0;
  private readonly prefix = randomBytes(6).toString('hex');

  private constructor(
    private readonly client: MqttClient,
    private readonly timeoutMs: number,
  ) {
    client.on('message', (topic, payload) => {
      if (topic === RESPONSE_TOPIC) this.answer(payload);
    });
    // After a reconnect the (clean) session has no subscription: take it again.
    client.on('connect', () => void client.subscribeAsync(RESPONSE_TOPIC, { qos: 1 }).catch(() => {}));
  }

  static async connect(options: DynsecControlOptions): Promise<DynsecControl> {
    const client = await mqtt.connectAsync(options.url, {
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 1000,
      clientId: `fluxgate-dynsec-${randomBytes(6).toString('hex')}`,
      username: options.username,
      password: options.password,
    });
    try {
      const granted = await client.subscribeAsync(RESPONSE_TOPIC, { qos: 1 });
      if (granted.some((g) => g.qos === 128)) throw new Error(`${options.username} may not subscribe to ${RESPONSE_TOPIC}: is it the dynamic security admin?`);
    } catch (err) {
      await client.endAsync(true);
      throw err;
    }
    client.on('error', () => {});
    return new DynsecControl(client, options.timeoutMs ?? 10_000);
  }

  get connected(): boolean {
    return this.client.connected;
  }

  private answer(payload: Buffer): void {
    let responses: Array<DynsecResponse & { correlationData?: unknown }>;
    try {
      responses = (JSON.parse(payload.toString('utf8')) as { responses?: typeof responses }).responses ?? [];
    } catch {
      return;
    }
    const id = typeof responses[0]?.correlationData === 'string' ? responses[0].correlationData : undefined;
    const waiting = id === undefined ? undefined : this.pending.get(id);
    if (!id || !waiting) return;
    this.pending.delete(id);
    clearTimeout(waiting.timer);
    waiting.resolve(responses.map(({ correlationData: _c, ...response }) => response));
  }

  /** Sends one request message; its responses come back in the order of `commands`. */
  private request(commands: DynsecCommand[]): Promise<DynsecResponse[]> {
    if (!this.client.connected) return Promise.reject(new Error('not connected to the MQTT broker'));
    const id = `${this.prefix}-${++this.sequence}`;
    return new Promise<DynsecResponse[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no answer from the dynamic security plugin within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      const body = JSON.stringify({ commands: commands.map((c) => ({ ...c, correlationData: id })) });
      this.client.publish(REQUEST_TOPIC, body, { qos: 1 }, (err) => {
        if (!err) return;
        this.pending.delete(id);
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** Runs `commands` (in slices of BATCH, in order) and returns one response per command. */
  async run(commands: DynsecCommand[]): Promise<DynsecResponse[]> {
    const out: DynsecResponse[] = [];
    for (let i = 0; i < commands.length; i += BATCH) out.push(...(await this.request(commands.slice(i, i + BATCH))));
    return out;
  }

  async close(): Promise<void> {
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(new Error('closing'));
      this.pending.delete(id);
    }
    await this.client.endAsync();
  }
}

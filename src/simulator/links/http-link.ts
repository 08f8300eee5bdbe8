// HTTP transport: each message is POST /api/v1/telemetry with the device's X-API-Key, over
// keep-alive connections shared by the fleet. HTTP devices cannot receive commands (no push channel).
import http from 'node:http';
import https from 'node:https';
import type { DeviceCredentials, DeviceLink, LinkHandlers, Transport } from './link.ts';
import { SendError } from './link.ts';

export interface HttpTransportOptions {
  /** Platform base URL, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** Most concurrent connections to the platform. */
  maxSockets?: number;
  timeoutMs?: number;
}

export class HttpTransport implements Transport {
  readonly kind = 'http';
  private readonly url: URL;
  private readonly agent: http.Agent;
  private readonly client: typeof http | typeof https;

  constructor(private readonly options: HttpTransportOptions) {
    this.url = new URL('/api/v1/telemetry', options.baseUrl);
    this.client = this.url.protocol === 'https:' ? https : http;
    const AgentClass = this.url.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new AgentClass({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
  }

  link(credentials: DeviceCredentials, handlers: LinkHandlers): DeviceLink {
    let online = false;
    const setOnline = (value: boolean) => {
      if (online !== value) handlers.onConnection?.(value);
      online = value;
    };
    return {
      id: credentials.id,
      connect: async () => setOnline(true),
      send: (payload) => this.post(credentials.apiKey, payload),
      dropConnection: () => setOnline(false),
      reconnect: async () => setOnline(true),
      close: async () => setOnline(false),
    };
  }

  post(apiKey: string, payload: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = this.client.request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          timeout: this.options.timeoutMs ?? 30_000,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-api-key': apiKey },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) return resolve();
            const body = Buffer.concat(chunks).toString('utf8').slice(0, 300);
            reject(new SendError(`HTTP ${status}: ${body}`, status >= 400 && status < 500 && status !== 429, status));
          });
          res.on('error', (err) => reject(new SendError(err.message, false)));
        },
      );
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', (err) => reject(new SendError(err.message, false)));
      req.end(payload);
    });
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}

// A device that takes commands over MQTT (WebSocket through the load balancer, persistent session,
// QoS 1) and acks each one, and an operator that keeps sending it commands over HTTP. Together they
// tell which commands the platform accepted (HTTP 201) and which of those reached the device.
import mqtt, { type MqttClient } from 'mqtt';
import type { DeviceCredentials } from '../crash/load-clients.ts';

export class CommandDevice {
  readonly received = new Set<string>();
  /** Command messages received, a command sent twice counted twice (delivery is at least once). */
  deliveries = 0;
  private readonly client: MqttClient;

  constructor(mqttUrl: string, private readonly device: DeviceCredentials) {
    this.client = mqtt.connect(mqttUrl, {
      protocolVersion: 4,
      clientId: `cmd-${device.id}`,
      username: device.id,
      password: device.apiKey,
      clean: false,
      reconnectPeriod: 100,
    });
    this.client.on('message', (topic, payload) => {
      const { id } = JSON.parse(payload.toString()) as { id: string };
      this.received.add(id);
      this.deliveries++;
      this.client.publish(`devices/${device.id}/commands/ack`, JSON.stringify({ id, status: 'acked' }), { qos: 1 });
    });
    this.client.on('error', () => {});
  }

  async subscribed(): Promise<void> {
    if (!this.client.connected) await new Promise((resolve) => this.client.once('connect', resolve));
    await this.client.subscribeAsync(`devices/${this.device.id}/commands`, { qos: 1 });
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}

/** Sends a command every `everyMs` over HTTP; remembers the ids answered 201. */
export function commandSender(baseUrl: string, token: string, deviceId: string, everyMs: number) {
  const accepted = new Set<string>();
  const errors: string[] = [];
  let stopped = false;
  const loop = (async () => {
    let n = 0;
    while (!stopped) {
      try {
        const res = await fetch(`${baseUrl}/api/v1/devices/${deviceId}/commands`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ command: 'set', parameters: { n: n++ } }),
          signal: AbortSignal.timeout(10_000),
        });
        const body = (await res.json()) as { id?: string };
        if (res.status === 201 && body.id) accepted.add(body.id);
        // 502/503/504: the node died under the request; whether it was stored is unknown, so it is not counted.
        else if (![502, 503, 504].includes(res.status)) errors.push(`POST commands answered ${res.status}: ${JSON.stringify(body).slice(0, 200)}`);
      } catch {
        // the connection broke with the node: as above
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    accepted,
    errors,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

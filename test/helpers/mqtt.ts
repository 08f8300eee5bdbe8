import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

/** Connects with MQTT 3.1.1 and no automatic reconnect; rejects with the CONNACK refusal. */
export function connectMqtt(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...options }, false);
}

/** Resolves with the next message on `topic` (subscribe first). */
export function nextMessage(client: MqttClient, topic: string): Promise<{ payload: Buffer; retain: boolean; qos: number }> {
  return new Promise((resolve) => {
    const onMessage = (t: string, payload: Buffer, packet: { retain: boolean; qos: number }) => {
      if (t !== topic) return;
      client.off('message', onMessage);
      resolve({ payload, retain: packet.retain, qos: packet.qos });
    };
    client.on('message', onMessage);
  });
}

/** Resolves when the client's connection closes. */
export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (client.disconnected) return resolve();
    client.once('close', () => resolve());
  });
}

/** The SUBACK return codes for `topics` (128 = refused), without treating a refusal as an error. */
export async function grantedCodes(client: MqttClient, topics: string[], qos: 0 | 1 = 1): Promise<number[]> {
  try {
    return (await client.subscribeAsync(topics, { qos })).map((g) => g.qos);
  } catch (err) {
    const packet = (err as { packet?: { granted?: number[] } }).packet;
    if (!packet?.granted) throw err;
    return packet.granted;
  }
}

/** Resolves with the first message on `topic` whose JSON payload satisfies `match`. */
export function messageMatching(client: MqttClient, topic: string, match: (body: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (t: string, payload: Buffer) => {
      if (t !== topic) return;
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(payload.toString()) as Record<string, unknown>;
      } catch {
        return;
      }
      if (!match(body)) return;
      client.off('message', onMessage);
      resolve(body);
    };
    client.on('message', onMessage);
  });
}

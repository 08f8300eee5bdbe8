// The MQTT side of this node as IoTFlow's GET /api/v1/mqtt/status reports it.
import type { Config } from '../config.ts';
import type { RunningMqtt } from './mqtt-wiring.ts';

export function mqttStatus(config: Config, mqtt: RunningMqtt | undefined): { enabled: boolean; [detail: string]: unknown } {
  if (!config.MQTT_ENABLED) return { enabled: false };
  const mode = config.MQTT_URL ? 'external' : 'embedded';
  if (!mqtt) return { enabled: true, mode, connected: false };
  if (mqtt.broker) {
    return { enabled: true, mode, connected: true, port: mqtt.port ?? null, tls_port: mqtt.tlsPort ?? null, clients: mqtt.broker.aedes.connectedClients, topic_prefix: config.MQTT_TOPIC_PREFIX };
  }
  return { enabled: true, mode, topic_prefix: config.MQTT_TOPIC_PREFIX, ...mqtt.health?.() };
}

// The simulator spells MQTT topics and payloads only through the wire contract, like the broker ACL
// and the bridge do, so a simulated device cannot drift from what the platform expects.
export {
  MqttTopics,
  type MqttCommandAckPayload,
  type MqttCommandPayload,
  type MqttDesiredStatePayload,
  type MqttStatusPayload,
} from '../../contract/mqtt-topics.ts';

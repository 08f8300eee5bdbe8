// MQTT topics and payloads the simulated devices use. This mirrors src/contract/mqtt-topics.ts of the
// `mqtt` branch (same names, same shapes) and is the ONLY place the simulator spells a topic, so at
// merge it is replaced by a re-export of the contract.
// Topics: devices/{id}/data · status · commands · commands/ack · state/desired (under an optional prefix).

export class MqttTopics {
  readonly prefix: string;
  private readonly head: string;

  constructor(prefix = '') {
    this.prefix = prefix.replace(/^\/+|\/+$/g, '');
    this.head = this.prefix ? `${this.prefix}/devices/` : 'devices/';
  }
  data(id: string): string {
    return `${this.head}${id}/data`;
  }
  status(id: string): string {
    return `${this.head}${id}/status`;
  }
  commands(id: string): string {
    return `${this.head}${id}/commands`;
  }
  commandAck(id: string): string {
    return `${this.head}${id}/commands/ack`;
  }
  desiredState(id: string): string {
    return `${this.head}${id}/state/desired`;
  }
}

/** Retained on devices/{id}/status; `offline` is also the last will. */
export interface MqttStatusPayload {
  status: 'online' | 'offline';
  timestamp?: string;
}

/** Received on devices/{id}/commands. */
export interface MqttCommandPayload {
  id: string;
  command: string;
  parameters: Record<string, unknown>;
  expires_at?: string;
  created_at?: string;
}

/** Published on devices/{id}/commands/ack. */
export interface MqttCommandAckPayload {
  id: string;
  status: 'acked' | 'failed';
  result?: unknown;
  error?: string;
}

/** Received (retained) on devices/{id}/state/desired. */
export interface MqttDesiredStatePayload {
  desired: Record<string, unknown>;
  version: number;
  updated_at?: string;
}

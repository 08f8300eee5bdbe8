// How a simulated device reaches the platform: one link per device, carrying telemetry out and
// commands and desired state in. Implementations: MQTT (links/mqtt-link.ts) and HTTP (links/http-link.ts).
import type { CommandResult, Params } from '../model.ts';

export interface DeviceCredentials {
  id: string;
  apiKey: string;
  type: string;
}

export interface IncomingCommand {
  id: string;
  command: string;
  parameters: Params;
}

export interface LinkHandlers {
  /** Runs a command; the link sends the ack. */
  onCommand(command: IncomingCommand): CommandResult;
  onDesired(desired: Params, version: number): void;
  /** Connection changes, for the fleet's "online" count. */
  onConnection?(online: boolean): void;
  /** An ack was published (after the broker took it). */
  onAckSent?(ok: boolean): void;
  /** Something went wrong outside a send (bad command payload, connection error). */
  onError?(err: Error): void;
}

/** Why a send did not succeed: the platform refused it (4xx, validation) or it did not get through. */
export class SendError extends Error {
  constructor(
    message: string,
    readonly rejected: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

export interface DeviceLink {
  readonly id: string;
  connect(): Promise<void>;
  /** Resolves when the platform took the message (HTTP 2xx, MQTT PUBACK); rejects with SendError. */
  send(payload: string): Promise<void>;
  /** Drops off the network abruptly (no goodbye): over MQTT the broker publishes the last will. */
  dropConnection(): void;
  /** Reconnects after dropConnection. */
  reconnect(): Promise<void>;
  close(): Promise<void>;
}

export interface Transport {
  readonly kind: 'mqtt' | 'http';
  link(credentials: DeviceCredentials, handlers: LinkHandlers): DeviceLink;
  close(): Promise<void>;
}

// What a user (not a device, not an admin) may do over MQTT: Home Assistant logs in as a user.
// The broker knows nothing of Home Assistant; it asks this port, which the Home Assistant
// connector implements (connectors/home-assistant) and the cli wires in. Without it, only devices
// and admins may connect, as before.
import type { Principal } from './auth-service.ts';

export interface MqttUserScope {
  /** Whether a user may subscribe to `filter` at all (what they then receive is filtered per message). */
  maySubscribe(filter: string): boolean;
  /** Whether a message on `topic` may be forwarded to `userId` (sync: called as aedes writes it). */
  mayReceive(userId: string, topic: string): boolean;
  /** Whether `principal` may publish to `topic` (a command topic of a device they may control). */
  mayPublish(principal: Principal, topic: string): Promise<boolean>;
  /** Acts on a message a user or admin published to one of the scope's topics; false when the topic is not one. */
  handles(topic: string): boolean;
  handle(principal: Principal, topic: string, payload: string): Promise<void>;
  /** A user's MQTT connection opened (load what they may see) or closed. */
  connected(userId: string): Promise<void>;
  disconnected(userId: string): void;
}

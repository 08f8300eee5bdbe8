// MQTT 5 Server Keep Alive [MQTT-3.2.2-21]: a client asking for no keep alive, or for more than
// MQTT_MAX_KEEPALIVE_S, is given that maximum in CONNACK and held to it. aedes' own option
// (keepaliveLimit) would also refuse such MQTT 3.1.1 clients with a return code 3.1.1 does not
// have, so the value is set per MQTT 5 connection, before aedes reads it (after preConnect).
import type { Client } from 'aedes';

export function serverKeepAlive(maxSeconds: number) {
  return (client: Client, packet: { protocolVersion?: number; keepalive?: number }, done: (error: Error | null, success: boolean) => void): void => {
    const asked = packet.keepalive ?? 0;
    if (packet.protocolVersion === 5 && (asked === 0 || asked > maxSeconds)) {
      (client as unknown as { _serverKeepAlive: number })._serverKeepAlive = maxSeconds;
    }
    done(null, true);
  };
}

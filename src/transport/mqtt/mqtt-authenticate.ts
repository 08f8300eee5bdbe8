// CONNECT: username = device id, password = API key (or an admin's username/password). The client
// id is bound to the first identity that used it, so another credential cannot take it over and
// inherit its session. A node holding MQTT_MAX_CONNECTIONS clients refuses more with CONNACK 3.
import type { AuthenticateError, Client } from 'aedes';
import type { MqttIdentity } from '../../services/mqtt-policy.ts';
import type { MqttDeps } from './mqtt-deps.ts';
import type { MqttLimits } from './mqtt-limits.ts';
import { deliverAtHighestQos } from './mqtt-overlap.ts';

// aedes' AuthErrorCode is a const enum, which isolated modules cannot import.
const BAD_USERNAME_OR_PASSWORD = 4;
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;

function refusal(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

function identityKey(who: MqttIdentity): string {
  return who.kind === 'device' ? `device:${who.deviceId}` : `admin:${who.userId}`;
}

export class MqttClients {
  private readonly identities = new WeakMap<Client, MqttIdentity>();
  private readonly owners = new Map<string, string>();
  /** Clients that sent a zero-length client id with CleanSession 0, which aedes would accept. */
  private readonly nameless = new WeakSet<Client>();

  constructor(
    private readonly deps: MqttDeps,
    private readonly limits?: MqttLimits,
  ) {}

  identityOf(client: Client | null): MqttIdentity | undefined {
    return client ? this.identities.get(client) : undefined;
  }

  readonly preConnect = (client: Client, packet: { clientId: string; clean?: boolean | undefined }, done: (error: Error | null, success: boolean) => void): void => {
    if (packet.clientId === '' && packet.clean === false) this.nameless.add(client);
    deliverAtHighestQos(client);
    done(null, true);
  };

  readonly authenticate = (
    client: Client,
    username: Readonly<string | undefined>,
    password: Readonly<Buffer | undefined>,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void => {
    const { policy, logger, metrics } = this.deps;
    // [MQTT-3.1.3-8]: a persistent session needs a client id to be found again.
    if (this.nameless.has(client)) return done(refusal('A zero-length client id needs CleanSession 1', IDENTIFIER_REJECTED), false);
    policy.identify(username, password?.toString('utf8')).then(
      (who) => {
        if (!who) {
          metrics.mqttRefused.inc({ action: 'connect' });
          logger.warn({ clientId: client.id, username }, 'MQTT connect refused: bad username or password');
          return done(refusal('Bad username or password', BAD_USERNAME_OR_PASSWORD), false);
        }
        const key = identityKey(who);
        const owner = this.owners.get(client.id);
        if (owner !== undefined && owner !== key) {
          metrics.mqttRefused.inc({ action: 'connect' });
          logger.warn({ clientId: client.id, username }, 'MQTT connect refused: client id is bound to another credential');
          return done(refusal('Client id is bound to another credential', IDENTIFIER_REJECTED), false);
        }
        if (this.limits && !this.limits.admit(client)) {
          metrics.mqttRefused.inc({ action: 'connection_limit' });
          logger.warn({ clientId: client.id, username, connections: this.limits.connections }, 'MQTT connect refused: MQTT_MAX_CONNECTIONS reached');
          return done(refusal('Server unavailable: connection limit reached', SERVER_UNAVAILABLE), false);
        }
        this.owners.set(client.id, key);
        this.identities.set(client, who);
        done(null, true);
      },
      (err: unknown) => {
        logger.error({ err, clientId: client.id }, 'MQTT authentication failed');
        done(refusal('Authentication unavailable', SERVER_UNAVAILABLE), false);
      },
    );
  };
}

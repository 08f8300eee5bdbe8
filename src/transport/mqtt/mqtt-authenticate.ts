// CONNECT: username = device id, password = API key (or an admin's username/password; with Home
// Assistant discovery on, any user's, or `token` and an access token). A client id
// in use, or holding a persistent session, belongs to the identity that made it: another credential
// cannot take it over (kick the owner off, inherit or discard its session). Live bindings are kept in
// memory and end with the connection; a persistent session's owner is stored with the session, so it
// outlives the connection and a restart. A node holding MQTT_MAX_CONNECTIONS clients refuses more with CONNACK 3.
// Bad credentials count against the `api_key` brute-force limit of the client's IP, as bad
// X-API-Key values do over HTTP; an IP over it is refused (CONNACK 5) before any key is checked.
import type { Aedes, AuthenticateError, Client } from 'aedes';
import type { MqttIdentity } from '../../services/mqtt-policy.ts';
import type { MqttDeps } from './mqtt-deps.ts';
import type { MqttLimits } from './mqtt-limits.ts';

// aedes' AuthErrorCode is a const enum, which isolated modules cannot import.
const BAD_USERNAME_OR_PASSWORD = 4;
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;
const NOT_AUTHORIZED = 5;

function remoteAddress(client: Client): string {
  const c = client as unknown as { conn: { remoteAddress?: string }; req?: { socket?: { remoteAddress?: string } } };
  return c.conn.remoteAddress ?? c.req?.socket?.remoteAddress ?? 'unknown';
}

/**
 * aedes keeps the CONNECT packet for the connection's life (it is the parser's settings, read for
 * the protocol version): once checked, the credentials are dropped from it, so a connection holds
 * neither its API key nor the buffer the key was read into.
 */
function forgetCredentials(client: Client): void {
  const settings = (client as unknown as { _parser?: { settings?: { cmd?: string; username?: string | undefined; password?: Buffer | undefined } } })._parser?.settings;
  if (settings?.cmd !== 'connect') return;
  settings.username = undefined;
  settings.password = undefined;
}

function refusal(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

function identityKey(who: MqttIdentity): string {
  return who.kind === 'device' ? `device:${who.deviceId}` : `${who.kind}:${who.userId}`;
}

/** The owners (identity keys) of persistent sessions, stored beside the sessions (mqtt-persistence.ts). */
export interface SessionOwners {
  ownerOf(clientId: string): string | undefined;
  bind(clientId: string, owner: string): Promise<void>;
  unbind(clientId: string): Promise<void>;
}

export class MqttClients {
  private readonly identities = new WeakMap<Client, MqttIdentity>();
  /** Client id → the connection using it (its identity is in `identities`), while that connection lasts. */
  private readonly live = new Map<string, Client>();

  constructor(
    private readonly deps: MqttDeps,
    private readonly limits?: MqttLimits,
    private readonly sessions?: SessionOwners,
  ) {}

  /** Ends a connection's binding when it goes (not when a newer connection of the same identity took the id over). */
  attach(aedes: Aedes): void {
    aedes.on('clientDisconnect', (client: Client) => {
      if (this.live.get(client.id) === client) this.live.delete(client.id);
      const who = this.identities.get(client);
      if (who?.kind === 'user') this.deps.policy.userScope?.disconnected(who.userId);
    });
  }

  /** The identity key of the live connection using `clientId`, if any. */
  private liveOwner(clientId: string): string | undefined {
    const client = this.live.get(clientId);
    if (!client) return undefined;
    if (client.closed) {
      // A connection that closed before aedes registered it never emits clientDisconnect.
      this.live.delete(clientId);
      return undefined;
    }
    const who = this.identities.get(client);
    return who && identityKey(who);
  }

  identityOf(client: Client | null): MqttIdentity | undefined {
    return client ? this.identities.get(client) : undefined;
  }

  /** Null when `client` may connect, else the CONNACK refusal. */
  private async decide(client: Client, username: string | undefined, password: Buffer | undefined): Promise<AuthenticateError | null> {
    const { policy, logger, metrics, limits: rate } = this.deps;
    const ip = remoteAddress(client);
    try {
      await rate?.check('api_key', ip);
    } catch (err) {
      metrics.mqttRefused.inc({ action: 'connect_rate_limit' });
      logger.warn({ clientId: client.id, username, ip }, 'MQTT connect refused: too many bad credentials from this address');
      return refusal((err as Error).message, NOT_AUTHORIZED);
    }
    const who = await policy.identify(username, password?.toString('utf8'));
    if (!who) {
      await rate?.consume('api_key', ip).catch(() => {});
      metrics.mqttRefused.inc({ action: 'connect' });
      logger.warn({ clientId: client.id, username }, 'MQTT connect refused: bad username or password');
      return refusal('Bad username or password', BAD_USERNAME_OR_PASSWORD);
    }
    // A user's view (the devices they may see) is loaded before they may subscribe.
    if (who.kind === 'user') await policy.userScope?.connected(who.userId);
    const key = identityKey(who);
    // From here to the binding nothing is awaited, so of two CONNECTs racing for one id the second sees the first.
    const stored = this.sessions?.ownerOf(client.id);
    const live = this.liveOwner(client.id);
    if ((live !== undefined && live !== key) || (stored !== undefined && stored !== key)) {
      metrics.mqttRefused.inc({ action: 'connect' });
      logger.warn({ clientId: client.id, username }, 'MQTT connect refused: client id is bound to another credential');
      return refusal('Client id is bound to another credential', IDENTIFIER_REJECTED);
    }
    if (this.limits && !this.limits.admit(client)) {
      metrics.mqttRefused.inc({ action: 'connection_limit' });
      logger.warn({ clientId: client.id, username, connections: this.limits.connections }, 'MQTT connect refused: MQTT_MAX_CONNECTIONS reached');
      return refusal('Server unavailable: connection limit reached', SERVER_UNAVAILABLE);
    }
    this.live.set(client.id, client);
    this.identities.set(client, who);
    // CleanSession 0 keeps a session under this id: store its owner. CleanSession 1 discards it.
    if (!client.clean && stored !== key) await this.sessions?.bind(client.id, key);
    else if (client.clean && stored !== undefined) await this.sessions?.unbind(client.id);
    return null;
  }

  readonly authenticate = (
    client: Client,
    username: Readonly<string | undefined>,
    password: Readonly<Buffer | undefined>,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void => {
    forgetCredentials(client);
    this.decide(client, username, password).then(
      (error) => done(error, error === null),
      (err: unknown) => {
        this.deps.logger.error({ err, clientId: client.id }, 'MQTT authentication failed');
        done(refusal('Authentication unavailable', SERVER_UNAVAILABLE), false);
      },
    );
  };
}

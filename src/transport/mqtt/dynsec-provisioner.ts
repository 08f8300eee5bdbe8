// Keeps Mosquitto's dynamic security plugin in step with the device registry (MQTT_DYNSEC): each
// device is a client (username = device id, password = its API key) with a role for its own topics,
// so devices connect to Mosquitto exactly as to the embedded broker; the nodes connect as their own
// client with the fluxgate-node role.
//
// API keys are stored as hashes, and the plugin keeps its own salted hash of the password: a key can
// only be given to the broker while it exists in plaintext, when it is created or rotated
// (DeviceService calls keyIssued then). A resync therefore repairs everything but a password: it
// removes the clients of deleted devices, enables and disables by status, and a device whose broker
// password is missing or stale (its key fingerprint differs) gets no password or a random one until
// its key is rotated, so an old key never keeps working.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { FluxgateError } from '../../contract/errors.ts';
import type { MqttTopics } from '../../contract/mqtt-topics.ts';
import type { DeviceStatus } from '../../domain/device.ts';
import type { DeviceCredentialSync } from '../../services/device-credentials.ts';
import { DEVICE_CLIENT_MARK, NODE_ROLE, UNKNOWN_KEY, deviceAcls, deviceRole, keyFingerprint, nodeAcls } from './dynsec-acl.ts';
import type { DynsecCommand, DynsecControl, DynsecResponse } from './dynsec-control.ts';

/** The registry's side of a resync (the storage, wired by the cli). */
export interface DeviceCredentialSource {
  listDeviceCredentials(): Promise<Array<{ id: string; status: string; keyHash: string }>>;
}

export interface DynsecProvisionerOptions {
  topics: MqttTopics;
  shareGroup: string;
  /** The client the nodes connect as (MQTT_USERNAME / MQTT_PASSWORD). */
  nodeUsername: string;
  nodePassword: string;
}

export interface ResyncSummary {
  devices: number;
  /** Devices the broker has no key of (no client, or a password an earlier resync replaced): refused until their key is rotated. */
  without_key: number;
  stale: number;
  enabled: number;
  disabled: number;
  removed: number;
}

interface BrokerClient {
  fingerprint: string | undefined;
  disabled: boolean;
  roles: string[];
  managed: boolean;
}

/** Errors that mean "already so": creating what exists, removing what is gone. */
const ALREADY = /already|not found|does not exist/i;

function check(responses: DynsecResponse[], tolerate = ALREADY): void {
  const failed = responses.find((r) => r.error !== undefined && !tolerate.test(r.error));
  if (failed) throw new Error(`${failed.command}: ${failed.error}`);
}

function setDisabled(username: string, disabled: boolean): DynsecCommand {
  return { command: disabled ? 'disableClient' : 'enableClient', username };
}

export class DynsecProvisioner implements DeviceCredentialSync {
  constructor(
    private readonly control: () => DynsecControl | undefined,
    private readonly options: DynsecProvisionerOptions,
    private readonly logger: Logger,
  ) {}

  private async run(commands: DynsecCommand[]): Promise<DynsecResponse[]> {
    const control = this.control();
    if (!control) throw new Error('not connected to the dynamic security plugin yet');
    return control.run(commands);
  }

  private roleCommands(rolename: string, acls: ReturnType<typeof deviceAcls>): DynsecCommand[] {
    // createRole carries the ACLs; addRoleACL repairs a role that exists with other ones (a new topic prefix).
    return [{ command: 'createRole', rolename, acls }, ...acls.map((acl) => ({ command: 'addRoleACL', rolename, ...acl }))];
  }

  async keyIssued(deviceId: string, apiKey: string, keyHash: string, status: DeviceStatus): Promise<void> {
    const rolename = deviceRole(deviceId);
    const described = { textname: DEVICE_CLIENT_MARK, textdescription: keyFingerprint(keyHash) };
    const acls = deviceAcls(this.options.topics, deviceId);
    // Mosquitto 2.0's plugin rewrites its whole JSON file after every change: a new device costs two.
    const [role, created] = await this.run([
      { command: 'createRole', rolename, acls },
      { command: 'createClient', username: deviceId, password: apiKey, ...described, roles: [{ rolename }] },
    ]);
    if (role?.error !== undefined) {
      if (!/already exists/i.test(role.error)) throw new Error(`createRole: ${role.error}`);
      // An existing role is repaired (a new topic prefix); addRoleACL fails harmlessly on ACLs it has.
      check(await this.run(acls.map((acl) => ({ command: 'addRoleACL', rolename, ...acl }))));
    }
    const createError = created?.error;
    if (createError === undefined) {
      if (status === 'inactive') check(await this.run([setDisabled(deviceId, true)]));
      return;
    }
    if (!/already exists/i.test(createError)) throw new Error(`createClient: ${createError}`);
    // A device named like the plugin's admin or the node client must never take it over.
    if ((await this.ownership(deviceId)) === 'foreign') {
      throw new FluxgateError('MQTT_USERNAME_TAKEN', `Device id ${deviceId} is the username of an MQTT broker client Fluxgate did not make; use another id`);
    }
    // setClientPassword also disconnects whoever is connected with the old key. The device's
    // roles are replaced (addClientRole fails on a role the client has).
    check(
      await this.run([
        { command: 'setClientPassword', username: deviceId, password: apiKey },
        { command: 'modifyClient', username: deviceId, ...described, roles: [{ rolename }] },
      ]),
    );
    check(await this.run([setDisabled(deviceId, status === 'inactive')]), /not found/i);
  }

  /** Whether the broker's client of this username is absent, a Fluxgate device's, or someone else's. */
  private async ownership(username: string): Promise<'absent' | 'foreign' | 'managed'> {
    const [got] = await this.run([{ command: 'getClient', username }]);
    if (got?.error !== undefined) {
      if (/not found/i.test(got.error)) return 'absent';
      throw new Error(`getClient: ${got.error}`);
    }
    const client = (got?.data as { client?: { textname?: string; textdescription?: string } } | undefined)?.client;
    return client?.textname === DEVICE_CLIENT_MARK ? 'managed' : 'foreign';
  }

  async statusChanged(deviceId: string, status: DeviceStatus): Promise<void> {
    // A client without a known key may be enabled: its password (none, or a random one) lets nobody in.
    if ((await this.ownership(deviceId)) !== 'managed') return;
    check(await this.run([setDisabled(deviceId, status === 'inactive')]), /not found/i);
  }

  async removed(deviceId: string): Promise<void> {
    if ((await this.ownership(deviceId)) === 'foreign') return;
    check(await this.run([{ command: 'deleteClient', username: deviceId }, { command: 'deleteRole', rolename: deviceRole(deviceId) }]));
  }

  /** The nodes' role and client; an existing client keeps its password (change it with mosquitto_ctrl). */
  async ensureNode(): Promise<void> {
    const { nodeUsername: username, nodePassword: password, shareGroup } = this.options;
    check(
      await this.run([
        ...this.roleCommands(NODE_ROLE, nodeAcls(shareGroup)),
        { command: 'createClient', username, password, textname: 'fluxgate node', roles: [{ rolename: NODE_ROLE }] },
        { command: 'enableClient', username },
      ]),
    );
    // An existing client keeps the roles an operator gave it; the node role is added when missing.
    const [got] = await this.run([{ command: 'getClient', username }]);
    const roles = (got?.data as { client?: { roles?: Array<{ rolename: string }> } } | undefined)?.client?.roles ?? [];
    if (!roles.some((r) => r.rolename === NODE_ROLE)) check(await this.run([{ command: 'addClientRole', username, rolename: NODE_ROLE }]));
  }

  private async brokerClients(): Promise<Map<string, BrokerClient>> {
    const [listed] = await this.run([{ command: 'listClients', verbose: true }]);
    if (listed?.error) throw new Error(`listClients: ${listed.error}`);
    const clients = (listed?.data as { clients?: Array<{ username: string; textname?: string; textdescription?: string; disabled?: boolean; roles?: Array<{ rolename: string }> }> } | undefined)?.clients ?? [];
    return new Map(
      clients.map((c) => [
        c.username,
        { fingerprint: c.textdescription, disabled: c.disabled === true, roles: (c.roles ?? []).map((r) => r.rolename), managed: c.textname === DEVICE_CLIENT_MARK },
      ]),
    );
  }

  /** The commands that bring the broker in line with the registry, each under a key naming its purpose. */
  private async plan(registry: DeviceCredentialSource): Promise<{ devices: number; withoutKey: number; actions: Map<string, DynsecCommand[]> }> {
    // Clients first, then devices: a device created in between (DeviceService stores it before
    // provisioning it) is in the device list, so its new client is never taken for an orphan.
    const clients = await this.brokerClients();
    const devices = await registry.listDeviceCredentials();
    const actions = new Map<string, DynsecCommand[]>();
    const { topics } = this.options;
    let withoutKey = 0;
    for (const device of devices) {
      const client = clients.get(device.id);
      const rolename = deviceRole(device.id);
      if (!client) {
        // Refused at CONNECT as an unknown username until keyIssued makes its client with its key.
        withoutKey++;
        continue;
      }
      if (!client.managed) {
        this.logger.warn({ deviceId: device.id }, 'dynamic security: a client not made by Fluxgate has this device id as username; left alone');
        continue;
      }
      if (!client.roles.includes(rolename)) {
        actions.set(`role:${device.id}`, [...this.roleCommands(rolename, deviceAcls(topics, device.id)), { command: 'addClientRole', username: device.id, rolename }]);
      }
      const current = client.fingerprint === keyFingerprint(device.keyHash);
      if (!current && client.fingerprint === UNKNOWN_KEY) withoutKey++;
      if (!current && client.fingerprint !== UNKNOWN_KEY) {
        // A key rotated while the broker was unreachable (or a password set by hand): the broker's
        // password is not the device's key. It is replaced by one nobody knows (which also cuts the
        // connections made with it). Nothing is disabled for it: enabled or not, nobody gets in, and a
        // keyIssued racing with this resync is never left disabled.
        actions.set(`stale:${device.id}`, [
          { command: 'setClientPassword', username: device.id, password: randomBytes(32).toString('base64url') },
          { command: 'modifyClient', username: device.id, textdescription: UNKNOWN_KEY },
        ]);
        continue;
      }
      const disabled = device.status === 'inactive';
      if (disabled !== client.disabled) actions.set(`${disabled ? 'disable' : 'enable'}:${device.id}`, [setDisabled(device.id, disabled)]);
    }
    const known = new Set(devices.map((d) => d.id));
    for (const [username, client] of clients) {
      if (client.managed && !known.has(username)) {
        actions.set(`remove:${username}`, [{ command: 'deleteClient', username }, { command: 'deleteRole', rolename: deviceRole(username) }]);
      }
    }
    return { devices: devices.length, withoutKey, actions };
  }

  /**
   * Brings every device client in line with the registry; idempotent. A change is made only when two
   * readings in a row call for it, so a create, rotation or status change another node is making
   * at that moment (broker first, database next) is not undone.
   */
  async resync(registry: DeviceCredentialSource): Promise<ResyncSummary> {
    const first = await this.plan(registry);
    const summary: ResyncSummary = { devices: first.devices, without_key: first.withoutKey, stale: 0, enabled: 0, disabled: 0, removed: 0 };
    if (first.actions.size === 0) return this.logged(summary);
    const second = await this.plan(registry);
    const commands: DynsecCommand[] = [];
    for (const [key, steps] of second.actions) {
      if (!first.actions.has(key)) continue;
      const kind = key.slice(0, key.indexOf(':'));
      if (kind === 'stale') summary.stale++;
      else if (kind === 'enable') summary.enabled++;
      else if (kind === 'disable') summary.disabled++;
      else if (kind === 'remove') summary.removed++;
      commands.push(...steps);
    }
    summary.devices = second.devices;
    summary.without_key = second.withoutKey;
    const responses = await this.run(commands);
    const failed = responses.filter((r) => r.error !== undefined && !ALREADY.test(r.error));
    if (failed.length > 0) this.logger.warn({ failed: failed.slice(0, 10) }, 'dynamic security resync: some commands failed');
    return this.logged(summary);
  }

  private logged(summary: ResyncSummary): ResyncSummary {
    if (summary.without_key + summary.stale > 0) {
      this.logger.warn(
        { without_key: summary.without_key, stale_key: summary.stale },
        'dynamic security resync: devices whose API key the broker does not have are refused on MQTT until their key is rotated',
      );
    }
    return summary;
  }
}

// Users, devices and settings: query code written once with Kysely and run by both adapters.
// The telemetry hot path does not live here; each adapter writes points with raw statements.
import type { Command, CommandStatus, CommandUpdate, DesiredState, NewCommand } from '../../domain/command.ts';
import type { Device, DevicePatch, NewDevice } from '../../domain/device.ts';
import type { NewUser, User, UserWithSecret } from '../../domain/user.ts';
import * as commands from './command-repo.ts';
import type { DeviceFile } from '../../domain/device-file.ts';
import type { LogEntry, NewLogEntry } from '../../domain/device-log.ts';
import { sql } from 'kysely';
import type { DeviceUsage, FileListQuery, LogQuery, SeriesRef, StalePendingQuery, StorageStats } from '../storage.ts';
import * as filesAndLogs from './file-log-repo.ts';
import { DeviceQueryRepo } from './device-query-repo.ts';
import { toDevice, toUser, toUserWithSecret } from './row-mapping.ts';
import type { DevicesTable } from './schema.ts';

const PATCH_COLUMNS: Record<keyof DevicePatch, keyof DevicesTable> = {
  name: 'name',
  description: 'description',
  deviceType: 'device_type',
  location: 'location',
  firmwareVersion: 'firmware_version',
  hardwareVersion: 'hardware_version',
  status: 'status',
  metadata: 'metadata',
  config: 'config',
};

/** Base of both adapters: the relational half of the Storage port. */
export abstract class RelationalRepo extends DeviceQueryRepo {
  async createUser(user: NewUser): Promise<User> {
    const now = Date.now();
    const row = {
      id: user.id,
      username: user.username,
      email: user.email,
      password_hash: user.passwordHash,
      role: user.role,
      is_active: user.isActive ? 1 : 0,
      created_at: now,
      updated_at: now,
      last_login: null,
    };
    await this.kysely.insertInto('users').values(row).execute();
    return toUser(row);
  }

  async getUser(id: string): Promise<User | undefined> {
    const row = await this.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async findUserForLogin(usernameOrEmail: string): Promise<UserWithSecret | undefined> {
    const row = await this.kysely
      .selectFrom('users')
      .selectAll()
      // Case-insensitive, so `Alice` can neither register beside `alice` nor fail to log in as her.
      .where((eb) => {
        const wanted = usernameOrEmail.toLowerCase();
        return eb.or([eb(eb.fn('lower', ['username']), '=', wanted), eb(eb.fn('lower', ['email']), '=', wanted)]);
      })
      .orderBy('created_at')
      .executeTakeFirst();
    return row ? toUserWithSecret(row) : undefined;
  }

  async recordLogin(id: string, at: number): Promise<void> {
    await this.kysely.updateTable('users').set({ last_login: at }).where('id', '=', id).execute();
  }

  async countUsers(): Promise<number> {
    const row = await this.kysely.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async createDevice(device: NewDevice): Promise<Device> {
    const now = Date.now();
    const row: DevicesTable = {
      id: device.id,
      name: device.name,
      description: device.description,
      device_type: device.deviceType,
      location: device.location,
      firmware_version: device.firmwareVersion,
      hardware_version: device.hardwareVersion,
      status: device.status,
      metadata: JSON.stringify(device.metadata),
      config: JSON.stringify(device.config),
      owner_id: device.ownerId,
      api_key_hash: device.apiKeyHash,
      created_at: now,
      updated_at: now,
      last_seen: null,
    };
    await this.kysely.insertInto('devices').values(row).execute();
    return toDevice(row);
  }

  async getDevice(id: string): Promise<Device | undefined> {
    const row = await this.kysely.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toDevice(row) : undefined;
  }

  async updateDevice(id: string, patch: DevicePatch): Promise<Device | undefined> {
    const values: Partial<DevicesTable> = { updated_at: Date.now() };
    for (const [key, column] of Object.entries(PATCH_COLUMNS) as Array<[keyof DevicePatch, keyof DevicesTable]>) {
      const value = patch[key];
      if (value === undefined) continue;
      (values as Record<string, unknown>)[column] =
        key === 'metadata' || key === 'config' ? JSON.stringify(value) : value;
    }
    const result = await this.kysely.updateTable('devices').set(values).where('id', '=', id).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    return this.getDevice(id);
  }

  async findDeviceByKeyHash(keyHash: string): Promise<{ id: string; keyHash: string } | undefined> {
    const row = await this.kysely
      .selectFrom('devices')
      .select(['id', 'api_key_hash'])
      .where('api_key_hash', '=', keyHash)
      .executeTakeFirst();
    return row ? { id: row.id, keyHash: row.api_key_hash } : undefined;
  }

  async setDeviceKeyHash(id: string, keyHash: string): Promise<boolean> {
    const result = await this.kysely
      .updateTable('devices')
      .set({ api_key_hash: keyHash, updated_at: Date.now() })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async listDeviceCredentials(): Promise<Array<{ id: string; status: string; keyHash: string }>> {
    const rows = await this.kysely.selectFrom('devices').select(['id', 'status', 'api_key_hash']).orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, status: r.status, keyHash: r.api_key_hash }));
  }

  async distinctDeviceValues(column: 'device_type' | 'location', visibleTo?: string): Promise<string[]> {
    let query = this.kysely.selectFrom('devices').select(column).distinct().where(column, 'is not', null);
    if (visibleTo !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb('owner_id', '=', visibleTo),
          eb('id', 'in', eb.selectFrom('device_access').select('device_id').where('user_id', '=', visibleTo)),
        ]),
      );
    }
    const rows = await query.orderBy(column).execute();
    return rows.map((r) => r[column]).filter((v): v is string => typeof v === 'string');
  }

  async fieldsOf(deviceId: string): Promise<string[]> {
    const rows = await this.kysely.selectFrom('series').select('field').where('device_id', '=', deviceId).orderBy('field').execute();
    return rows.map((r) => r.field);
  }

  async listSeries(after: { deviceId: string; field: string } | undefined, limit: number): Promise<SeriesRef[]> {
    let q = this.kysely
      .selectFrom('series as s')
      .innerJoin('devices as d', 'd.id', 's.device_id')
      .select(['s.device_id', 's.field', 'd.device_type', 'd.owner_id'])
      .orderBy('s.device_id')
      .orderBy('s.field')
      .limit(limit);
    if (after) q = q.where((eb) => eb.or([eb('s.device_id', '>', after.deviceId), eb.and([eb('s.device_id', '=', after.deviceId), eb('s.field', '>', after.field)])]));
    return (await q.execute()).map((r) => ({ deviceId: r.device_id, field: r.field, deviceType: r.device_type, ownerId: r.owner_id }));
  }

  async telemetryUsage(): Promise<DeviceUsage[]> {
    const bytes = this.kind === 'postgres' ? sql<number>`SUM(octet_length(c.data))` : sql<number>`SUM(length(c.data))`;
    const rows = await this.kysely
      .selectFrom('chunks as c')
      .innerJoin('devices as d', 'd.id', 'c.device_id')
      .select(['c.device_id', 'd.name', 'd.device_type', 'd.owner_id', (eb) => eb.fn.countAll<number>().as('chunks'), (eb) => eb.fn.sum<number>('c.count').as('points'), bytes.as('bytes')])
      .groupBy(['c.device_id', 'd.name', 'd.device_type', 'd.owner_id'])
      .orderBy('bytes', 'desc')
      .execute();
    return rows.map((r) => ({
      deviceId: r.device_id,
      name: r.name,
      deviceType: r.device_type,
      ownerId: r.owner_id,
      chunks: Number(r.chunks),
      points: Number(r.points),
      bytes: Number(r.bytes),
    }));
  }

  async stats(): Promise<StorageStats> {
    const [users, byStatus, byType, points] = await Promise.all([
      this.countUsers(),
      this.kysely.selectFrom('devices').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute(),
      this.kysely
        .selectFrom('devices')
        .select(['device_type', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('device_type')
        .execute(),
      this.kysely.selectFrom('rollup_hour').select((eb) => eb.fn.sum<number>('count').as('n')).executeTakeFirst(),
    ]);
    const devicesByStatus = Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)]));
    const devicesByType = Object.fromEntries(byType.map((r) => [r.device_type, Number(r.n)]));
    const devices = Object.values(devicesByStatus).reduce((a, b) => a + b, 0);
    return { users, devices, points: Number(points?.n ?? 0), devicesByStatus, devicesByType };
  }

  async getSetting(key: string): Promise<string | undefined> {
    const row = await this.kysely.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async setSettingIfAbsent(key: string, value: string): Promise<string> {
    await this.kysely
      .insertInto('settings')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return (await this.getSetting(key)) ?? value;
  }

  insertFile(file: DeviceFile): Promise<void> {
    return filesAndLogs.insertFile(this.kysely, file);
  }

  getFile(id: string): Promise<DeviceFile | undefined> {
    return filesAndLogs.getFile(this.kysely, id);
  }

  listFiles(query: FileListQuery): Promise<{ items: DeviceFile[]; total: number }> {
    return filesAndLogs.listFiles(this.kysely, query);
  }

  deleteFile(id: string): Promise<boolean> {
    return filesAndLogs.deleteFile(this.kysely, id);
  }

  appendLogs(entries: readonly NewLogEntry[]): Promise<number> {
    return filesAndLogs.appendLogs(this.kysely, entries);
  }

  queryLogs(query: LogQuery): Promise<LogEntry[]> {
    return filesAndLogs.queryLogs(this.kysely, query);
  }

  deleteLogsBefore(before: number): Promise<number> {
    return filesAndLogs.deleteLogsBefore(this.kysely, before);
  }

  createCommand(command: NewCommand): Promise<Command> {
    return commands.createCommand(this.kysely, command);
  }

  getCommand(deviceId: string, id: string): Promise<Command | undefined> {
    return commands.getCommand(this.kysely, deviceId, id);
  }

  listCommands(deviceId: string, options: { statuses?: readonly CommandStatus[]; limit: number; order?: 'asc' | 'desc' }): Promise<Command[]> {
    return commands.listCommands(this.kysely, deviceId, options);
  }

  updateCommand(deviceId: string, id: string, from: readonly CommandStatus[], update: CommandUpdate): Promise<Command | undefined> {
    return commands.updateCommand(this.kysely, deviceId, id, from, update);
  }

  listStalePendingCommands(query: StalePendingQuery): Promise<Command[]> {
    return commands.listStalePendingCommands(this.kysely, query);
  }

  expireCommands(now: number): Promise<Command[]> {
    return commands.expireCommands(this.kysely, now);
  }

  getDesiredState(deviceId: string): Promise<DesiredState | undefined> {
    return commands.getDesiredState(this.kysely, deviceId);
  }

  putDesiredState(deviceId: string, desired: Record<string, unknown>, expectedVersion: number, at: number): Promise<DesiredState | undefined> {
    return commands.putDesiredState(this.kysely, deviceId, desired, expectedVersion, at);
  }
}

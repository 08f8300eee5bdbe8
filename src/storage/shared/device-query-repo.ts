// Listing devices and counting them for the overview, written once with Kysely for both adapters:
// filters, online/offline judged in SQL (stored last_seen plus this node's known connection state),
// sorting with a stable tie-break by id, and GROUP BY counts that never load the devices.
import { type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import type { ConnectivityFacts, Device, DeviceFilter, DeviceGroupCount, DeviceSort } from '../../domain/device.ts';
import { NotificationRepo } from './notification-repo.ts';
import { toDevice } from './row-mapping.ts';
import type { Database } from './schema.ts';

type DeviceQuery = SelectQueryBuilder<Database, 'devices', object>;

const TEXT_COLUMNS = ['id', 'name', 'description', 'location', 'device_type'] as const;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const ASCII = /^[\x00-\x7f]*$/;

export abstract class DeviceQueryRepo extends NotificationRepo {
  abstract readonly kind: 'sqlite' | 'postgres';

  /** `column IN ids` with every id in one JSON parameter: one plan however many ids, no parameter limit. */
  protected inIds(column: string, ids: readonly string[]): RawBuilder<boolean> {
    const json = JSON.stringify(ids);
    return this.kind === 'sqlite'
      ? sql<boolean>`${sql.ref(column)} in (select value from json_each(${json}))`
      : sql<boolean>`${sql.ref(column)} in (select json_array_elements_text(${json}::json))`;
  }

  /** True when the device counts as online; never NULL (so NOT and SUM(CASE) work alike on both databases). */
  protected onlineCondition(facts: ConnectivityFacts): RawBuilder<boolean> {
    let online = sql<boolean>`(devices.last_seen is not null and devices.last_seen > ${Math.floor(facts.freshAfter)})`;
    if (facts.offline.length > 0) online = sql<boolean>`(${online} and not ${this.inIds('devices.id', facts.offline)})`;
    if (facts.online.length > 0) online = sql<boolean>`(${online} or ${this.inIds('devices.id', facts.online)})`;
    return online;
  }

  /** Case-insensitive text order, the same on both databases for ASCII (see the devices_name index). */
  private textOrder(column: 'name' | 'device_type' | 'id'): RawBuilder<string> {
    if (this.kind === 'sqlite') return column === 'name' ? sql<string>`devices.name collate nocase` : sql<string>`${sql.ref(`devices.${column}`)}`;
    return column === 'name' ? sql<string>`lower(devices.name) collate "C"` : sql<string>`${sql.ref(`devices.${column}`)} collate "C"`;
  }

  private visibleTo(query: DeviceQuery, userId: string): DeviceQuery {
    return query.where((eb) =>
      eb.or([
        eb('devices.owner_id', '=', userId),
        eb('devices.id', 'in', eb.selectFrom('device_access').select('device_access.device_id').where('device_access.user_id', '=', userId)),
      ]),
    );
  }

  private textMatch(query: DeviceQuery, text: string): DeviceQuery {
    const lowered = text.toLowerCase();
    // SQLite: an ASCII search runs the built-in LIKE (ASCII case-insensitive, in C); only a non-ASCII
    // one pays for the Unicode lower() registered by the adapter, once per row and column.
    const builtin = this.kind === 'sqlite' && ASCII.test(lowered);
    const pattern = `%${escapeLike(lowered)}%`;
    return query.where((eb) =>
      eb.or(
        TEXT_COLUMNS.map((col) =>
          builtin ? sql<boolean>`${eb.ref(`devices.${col}`)} like ${pattern} escape '\\'` : sql<boolean>`lower(${eb.ref(`devices.${col}`)}) like ${pattern} escape '\\'`,
        ),
      ),
    );
  }

  private filtered(filter: Omit<DeviceFilter, 'limit' | 'offset'>): DeviceQuery {
    let query: DeviceQuery = this.kysely.selectFrom('devices');
    if (filter.ownerId !== undefined) query = query.where('devices.owner_id', '=', filter.ownerId);
    if (filter.visibleTo !== undefined) query = this.visibleTo(query, filter.visibleTo);
    if (filter.deviceType !== undefined) query = query.where('devices.device_type', '=', filter.deviceType);
    if (filter.location !== undefined) query = query.where('devices.location', '=', filter.location);
    if (filter.status !== undefined) query = query.where('devices.status', '=', filter.status);
    if (filter.text !== undefined && filter.text !== '') query = this.textMatch(query, filter.text);
    if (filter.online !== undefined) {
      const online = this.onlineCondition(filter.connectivity ?? { online: [], offline: [], freshAfter: Date.now() });
      query = query.where(filter.online ? online : sql<boolean>`not ${online}`);
    }
    return query;
  }

  private sorted(query: DeviceQuery, sort: DeviceSort | undefined, order: 'asc' | 'desc' | undefined): DeviceQuery {
    if (sort === undefined) return query.orderBy('devices.created_at', order ?? 'desc').orderBy(this.textOrder('id'));
    const dir = order ?? 'asc';
    if (sort === 'last_seen') {
      // Never-seen devices last in both directions (SQLite and PostgreSQL place NULLs differently).
      query = query.orderBy(sql`(devices.last_seen is null)`).orderBy('devices.last_seen', dir);
    } else if (sort === 'created_at') query = query.orderBy('devices.created_at', dir);
    else query = query.orderBy(this.textOrder(sort), dir);
    return query.orderBy(this.textOrder('id'));
  }

  async listDevices(filter: DeviceFilter): Promise<{ items: Device[]; total: number }> {
    const query = this.filtered(filter);
    const [rows, count] = await Promise.all([
      this.sorted(query, filter.sort, filter.order).selectAll('devices').limit(filter.limit).offset(filter.offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    ]);
    return { items: rows.map(toDevice), total: Number(count?.n ?? 0) };
  }

  /** Devices by status and type with their online counts: one GROUP BY over the devices `visibleTo` sees (all when absent). */
  async countDevices(scope: { visibleTo?: string | undefined; connectivity: ConnectivityFacts }): Promise<DeviceGroupCount[]> {
    let query: DeviceQuery = this.kysely.selectFrom('devices');
    if (scope.visibleTo !== undefined) query = this.visibleTo(query, scope.visibleTo);
    const online = this.onlineCondition(scope.connectivity);
    const rows = await query
      .select((eb) => [
        'devices.status',
        'devices.device_type',
        eb.fn.countAll<number>().as('total'),
        sql<number>`sum(case when ${online} then 1 else 0 end)`.as('online'),
      ])
      .groupBy(['devices.status', 'devices.device_type'])
      .execute();
    return rows.map((r) => ({ status: r.status, deviceType: r.device_type, total: Number(r.total), online: Number(r.online) }));
  }

  /** Ids of the devices a user owns or that are shared with them. */
  async visibleDeviceIds(userId: string): Promise<string[]> {
    const rows = await this.visibleTo(this.kysely.selectFrom('devices'), userId).select('devices.id').execute();
    return rows.map((r) => r.id);
  }
}

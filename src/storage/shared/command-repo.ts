// Commands and desired state: Kysely queries shared by both adapters (RelationalRepo delegates here).
import type { Kysely } from 'kysely';
import type { Command, CommandStatus, CommandUpdate, DesiredState, NewCommand } from '../../domain/command.ts';
import type { StalePendingQuery } from '../storage.ts';
import type { CommandsTable, Database } from './schema.ts';

function toCommand(row: CommandsTable): Command {
  return {
    id: row.id,
    deviceId: row.device_id,
    command: row.command,
    parameters: JSON.parse(row.parameters) as Record<string, unknown>,
    status: row.status as CommandStatus,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    deliveredAt: row.delivered_at === null ? null : Number(row.delivered_at),
    completedAt: row.completed_at === null ? null : Number(row.completed_at),
    result: row.result === null ? null : (JSON.parse(row.result) as unknown),
    error: row.error,
  };
}

export async function createCommand(db: Kysely<Database>, c: NewCommand): Promise<Command> {
  const row: CommandsTable = {
    id: c.id,
    device_id: c.deviceId,
    command: c.command,
    parameters: JSON.stringify(c.parameters),
    status: 'pending',
    created_by: c.createdBy,
    created_at: c.createdAt,
    expires_at: c.expiresAt,
    delivered_at: null,
    completed_at: null,
    result: null,
    error: null,
  };
  await db.insertInto('commands').values(row).execute();
  return toCommand(row);
}

export async function getCommand(db: Kysely<Database>, deviceId: string, id: string): Promise<Command | undefined> {
  const row = await db.selectFrom('commands').selectAll().where('device_id', '=', deviceId).where('id', '=', id).executeTakeFirst();
  return row ? toCommand(row) : undefined;
}

export async function listCommands(
  db: Kysely<Database>,
  deviceId: string,
  options: { statuses?: readonly CommandStatus[]; limit: number; order?: 'asc' | 'desc' },
): Promise<Command[]> {
  let q = db.selectFrom('commands').selectAll().where('device_id', '=', deviceId);
  if (options.statuses && options.statuses.length > 0) q = q.where('status', 'in', [...options.statuses]);
  const order = options.order ?? 'desc';
  const rows = await q.orderBy('created_at', order).orderBy('id', order).limit(options.limit).execute();
  return rows.map(toCommand);
}

/** Moves a command to `update.status` only if its status is one of `from`; the updated command, else undefined. */
export async function updateCommand(
  db: Kysely<Database>,
  deviceId: string,
  id: string,
  from: readonly CommandStatus[],
  update: CommandUpdate,
): Promise<Command | undefined> {
  const set: Partial<CommandsTable> = { status: update.status };
  if (update.deliveredAt !== undefined) set.delivered_at = update.deliveredAt;
  if (update.completedAt !== undefined) set.completed_at = update.completedAt;
  if (update.result !== undefined) set.result = JSON.stringify(update.result);
  if (update.error !== undefined) set.error = update.error;
  const res = await db
    .updateTable('commands')
    .set(set)
    .where('device_id', '=', deviceId)
    .where('id', '=', id)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) return undefined;
  return getCommand(db, deviceId, id);
}

/**
 * Pending commands created at or before `createdBefore` that have not expired at `now`, in
 * (expires_at, id) order after `after`: the index commands_open (status, expires_at) serves the
 * filter and the order (only ties on expires_at are sorted, by id), so a page is one range scan.
 */
export async function listStalePendingCommands(db: Kysely<Database>, options: StalePendingQuery): Promise<Command[]> {
  const { after } = options;
  let q = db
    .selectFrom('commands')
    .selectAll()
    .where('status', '=', 'pending')
    .where('expires_at', '>', options.now)
    .where('created_at', '<=', options.createdBefore);
  if (after) {
    // The plain bound lets the index range start at the cursor; the OR then skips the ids already read.
    q = q
      .where('expires_at', '>=', after.expiresAt)
      .where((eb) => eb.or([eb('expires_at', '>', after.expiresAt), eb.and([eb('expires_at', '=', after.expiresAt), eb('id', '>', after.id)])]));
  }
  const rows = await q.orderBy('expires_at', 'asc').orderBy('id', 'asc').limit(options.limit).execute();
  return rows.map(toCommand);
}

/** Marks open commands whose expiry passed as expired; returns them. */
export async function expireCommands(db: Kysely<Database>, now: number): Promise<Command[]> {
  const due = await db
    .selectFrom('commands')
    .selectAll()
    .where('status', 'in', ['pending', 'delivered'])
    .where('expires_at', '<=', now)
    .limit(1000)
    .execute();
  const expired: Command[] = [];
  for (const row of due) {
    const done = await updateCommand(db, row.device_id, row.id, ['pending', 'delivered'], { status: 'expired', completedAt: now });
    if (done) expired.push(done);
  }
  return expired;
}

export async function getDesiredState(db: Kysely<Database>, deviceId: string): Promise<DesiredState | undefined> {
  const row = await db.selectFrom('device_state').selectAll().where('device_id', '=', deviceId).executeTakeFirst();
  return row
    ? { deviceId, desired: JSON.parse(row.desired) as Record<string, unknown>, version: Number(row.version), updatedAt: Number(row.updated_at) }
    : undefined;
}

/** Stores `desired` as version `expectedVersion + 1`; undefined when another writer got there first. */
export async function putDesiredState(
  db: Kysely<Database>,
  deviceId: string,
  desired: Record<string, unknown>,
  expectedVersion: number,
  at: number,
): Promise<DesiredState | undefined> {
  const value = { desired: JSON.stringify(desired), version: expectedVersion + 1, updated_at: at };
  if (expectedVersion === 0) {
    const res = await db
      .insertInto('device_state')
      .values({ device_id: deviceId, ...value })
      .onConflict((oc) => oc.column('device_id').doNothing())
      .executeTakeFirst();
    if (Number(res.numInsertedOrUpdatedRows ?? 0n) === 0) return undefined;
  } else {
    const res = await db.updateTable('device_state').set(value).where('device_id', '=', deviceId).where('version', '=', expectedVersion).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return undefined;
  }
  return { deviceId, desired, version: expectedVersion + 1, updatedAt: at };
}

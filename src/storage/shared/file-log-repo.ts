// Device file metadata and device logs: query code written once with Kysely for both adapters.
import type { Kysely } from 'kysely';
import type { DeviceFile } from '../../domain/device-file.ts';
import { LOG_SEVERITY, type LogEntry, type NewLogEntry } from '../../domain/device-log.ts';
import type { FileListQuery, LogQuery } from '../storage.ts';
import { toDeviceFile, toLogEntry } from './row-mapping.ts';
import type { Database } from './schema.ts';

export async function insertFile(db: Kysely<Database>, f: DeviceFile): Promise<void> {
  await db
    .insertInto('device_files')
    .values({
      id: f.id,
      device_id: f.deviceId,
      kind: f.kind,
      original_name: f.originalName,
      content_type: f.contentType,
      size: f.size,
      sha256: f.sha256,
      blob_key: f.blobKey,
      uploaded_by: f.uploadedBy,
      uploaded_at: f.uploadedAt,
    })
    .execute();
}

export async function getFile(db: Kysely<Database>, id: string): Promise<DeviceFile | undefined> {
  const row = await db.selectFrom('device_files').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toDeviceFile(row) : undefined;
}

export async function listFiles(db: Kysely<Database>, q: FileListQuery): Promise<{ items: DeviceFile[]; total: number }> {
  const base = db.selectFrom('device_files').where('device_id', '=', q.deviceId).where('kind', '=', q.kind);
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy('uploaded_at', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
  ]);
  return { items: rows.map(toDeviceFile), total: Number(count?.n ?? 0) };
}

export async function deleteFile(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('device_files').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function appendLogs(db: Kysely<Database>, entries: readonly NewLogEntry[]): Promise<number> {
  if (entries.length === 0) return 0;
  await db
    .insertInto('device_logs')
    .values(
      entries.map((e) => ({ device_id: e.deviceId, ts: e.ts, severity: LOG_SEVERITY[e.level], message: e.message, source: e.source })),
    )
    .execute();
  return entries.length;
}

export async function queryLogs(db: Kysely<Database>, q: LogQuery): Promise<LogEntry[]> {
  let query = db.selectFrom('device_logs').selectAll().where('device_id', '=', q.deviceId).where('ts', '>=', q.start).where('ts', '<', q.end);
  if (q.levels && q.levels.length > 0) query = query.where('severity', 'in', q.levels.map((l) => LOG_SEVERITY[l]));
  if (q.minLevel) query = query.where('severity', '>=', LOG_SEVERITY[q.minLevel]);
  const after = q.after;
  if (after) {
    const op = q.order === 'asc' ? '>' : '<';
    query = query.where((eb) => eb.or([eb('ts', op, after.ts), eb.and([eb('ts', '=', after.ts), eb('id', op, after.id)])]));
  }
  const rows = await query.orderBy('ts', q.order).orderBy('id', q.order).limit(q.limit).execute();
  return rows.map(toLogEntry);
}

export async function deleteLogsBefore(db: Kysely<Database>, before: number): Promise<number> {
  const result = await db.deleteFrom('device_logs').where('ts', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

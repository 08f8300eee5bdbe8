// Users' own device profiles, written once with Kysely for both adapters (RelationalRepo extends this).
import type { NewProfileRecord, ProfileRecord } from '../../domain/profile.ts';
import { ChartRepo } from './chart-repo.ts';
import type { ProfilesTable } from './schema.ts';

function toProfile(row: ProfilesTable): ProfileRecord {
  return {
    id: row.id,
    ownerId: row.owner_id,
    deviceType: row.device_type,
    definition: JSON.parse(row.definition) as Record<string, unknown>,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export class ProfileRepo extends ChartRepo {
  /** Stores a new profile; undefined when its owner already has one for that device type. */
  async createProfile(profile: NewProfileRecord): Promise<ProfileRecord | undefined> {
    const now = Date.now();
    const row: ProfilesTable = {
      id: profile.id,
      owner_id: profile.ownerId,
      device_type: profile.deviceType,
      definition: JSON.stringify(profile.definition),
      created_at: now,
      updated_at: now,
    };
    const result = await this.kysely
      .insertInto('profiles')
      .values(row)
      .onConflict((oc) => oc.columns(['owner_id', 'device_type']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0 ? toProfile(row) : undefined;
  }

  async getProfile(id: string): Promise<ProfileRecord | undefined> {
    const row = await this.kysely.selectFrom('profiles').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toProfile(row) : undefined;
  }

  /** Profiles of one owner, or of everyone when `ownerId` is absent, by device type. */
  async listProfiles(ownerId?: string): Promise<ProfileRecord[]> {
    let query = this.kysely.selectFrom('profiles').selectAll();
    if (ownerId !== undefined) query = query.where('owner_id', '=', ownerId);
    const rows = await query.orderBy('device_type').orderBy('id').execute();
    return rows.map(toProfile);
  }

  /** Replaces a profile's definition: undefined when it is gone, 'conflict' when its owner has another for that type. */
  async updateProfile(id: string, deviceType: string, definition: Record<string, unknown>): Promise<ProfileRecord | 'conflict' | undefined> {
    try {
      const result = await this.kysely
        .updateTable('profiles')
        .set({ device_type: deviceType, definition: JSON.stringify(definition), updated_at: Date.now() })
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return undefined;
    } catch (err) {
      if (isUniqueViolation(err)) return 'conflict';
      throw err;
    }
    return this.getProfile(id);
  }

  async deleteProfile(id: string): Promise<boolean> {
    const result = await this.kysely.deleteFrom('profiles').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

/** SQLite's SQLITE_CONSTRAINT_UNIQUE or PostgreSQL's 23505. */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

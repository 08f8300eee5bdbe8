// User-built dashboards, written once with Kysely for both adapters (RelationalRepo extends this).
import { sql } from 'kysely';
import type { Dashboard, DashboardContent, DashboardWidget, NewDashboard } from '../../domain/dashboard.ts';
import type { DashboardsTable } from './schema.ts';
import { ProfileRepo } from './profile-repo.ts';

function toDashboard(row: DashboardsTable): Dashboard {
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    widgets: JSON.parse(row.widgets) as DashboardWidget[],
    sharedWith: JSON.parse(row.shared_with) as string[],
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

const widgetsJson = (widgets: readonly DashboardWidget[]) =>
  JSON.stringify(widgets.map((w) => ({ id: w.id, kind: w.kind, title: w.title, deviceIds: w.deviceIds, fields: w.fields, range: w.range, w: w.w, h: w.h })));

/** A LIKE pattern (escape character '!') matching the JSON text of `userId` inside shared_with. */
const sharedWithPattern = (userId: string) => `%${JSON.stringify(userId).replace(/[!%_]/g, (c) => `!${c}`)}%`;

export class DashboardRepo extends ProfileRepo {
  async createDashboard(dashboard: NewDashboard): Promise<Dashboard> {
    const now = Date.now();
    const row: DashboardsTable = {
      id: dashboard.id,
      owner_id: dashboard.ownerId,
      name: dashboard.name,
      widgets: widgetsJson(dashboard.widgets),
      shared_with: JSON.stringify(dashboard.sharedWith),
      created_at: now,
      updated_at: now,
    };
    await this.kysely.insertInto('dashboards').values(row).execute();
    return toDashboard(row);
  }

  async getDashboard(id: string): Promise<Dashboard | undefined> {
    const row = await this.kysely.selectFrom('dashboards').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toDashboard(row) : undefined;
  }

  async listDashboards(userId: string): Promise<Dashboard[]> {
    // LIKE narrows the rows in SQL; the exact membership test runs on the parsed list.
    const rows = await this.kysely
      .selectFrom('dashboards')
      .selectAll()
      .where((eb) => eb.or([eb('owner_id', '=', userId), sql<boolean>`shared_with LIKE ${sharedWithPattern(userId)} ESCAPE '!'`]))
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toDashboard).filter((d) => d.ownerId === userId || d.sharedWith.includes(userId));
  }

  async replaceDashboard(id: string, content: DashboardContent): Promise<Dashboard | undefined> {
    const result = await this.kysely
      .updateTable('dashboards')
      .set({ name: content.name, widgets: widgetsJson(content.widgets), shared_with: JSON.stringify(content.sharedWith), updated_at: Date.now() })
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    return this.getDashboard(id);
  }

  async deleteDashboard(id: string): Promise<boolean> {
    const result = await this.kysely.deleteFrom('dashboards').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

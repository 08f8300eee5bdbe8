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
  JSON.stringify(widgets.map((w) => ({ id: w.id, kind: w.kind, title: w.title, deviceIds: w.deviceIds, fields: w.fields, range: w.range, w: w.w, h: w.h, chartId: w.chartId })));

/** Rows whose shared_with text holds `userId` as a JSON string (a superset: callers test the parsed list). */
function sharedWithContains(userId: string) {
  const pattern = `%${JSON.stringify(userId).replace(/[!%_]/g, (c) => `!${c}`)}%`;
  return sql<boolean>`shared_with LIKE ${pattern} ESCAPE '!'`;
}

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
      .where((eb) => eb.or([eb('owner_id', '=', userId), sharedWithContains(userId)]))
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

  /** Their own dashboards go by cascade; they also leave the shared_with of everyone else's. */
  override async deleteUser(id: string): Promise<boolean> {
    const deleted = await super.deleteUser(id);
    if (deleted) await this.unshareWithUser(id);
    return deleted;
  }

  private async unshareWithUser(userId: string): Promise<void> {
    const rows = await this.kysely
      .selectFrom('dashboards')
      .select(['id', 'shared_with'])
      .where(sharedWithContains(userId))
      .execute();
    for (const row of rows) {
      const sharedWith = (JSON.parse(row.shared_with) as string[]).filter((u) => u !== userId);
      await this.kysely.updateTable('dashboards').set({ shared_with: JSON.stringify(sharedWith) }).where('id', '=', row.id).execute();
    }
  }
}

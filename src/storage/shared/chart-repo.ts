// Saved charts, written once with Kysely for both adapters (RelationalRepo extends this).
import type { Chart, ChartPatch, ChartSeries, NewChart } from '../../domain/chart.ts';
import { AccountsRepo } from './accounts-repo.ts';
import type { ChartsTable } from './schema.ts';

function toChart(row: ChartsTable): Chart {
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    series: JSON.parse(row.series) as ChartSeries[],
    timeRange: row.time_range,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

const seriesJson = (series: readonly ChartSeries[]) =>
  JSON.stringify(series.map((s) => ({ deviceId: s.deviceId, field: s.field, label: s.label })));

export class ChartRepo extends AccountsRepo {

  async createChart(chart: NewChart): Promise<Chart> {
    const now = Date.now();
    const row: ChartsTable = {
      id: chart.id,
      owner_id: chart.ownerId,
      name: chart.name,
      series: seriesJson(chart.series),
      time_range: chart.timeRange,
      created_at: now,
      updated_at: now,
    };
    await this.kysely.insertInto('charts').values(row).execute();
    return toChart(row);
  }

  async getChart(id: string): Promise<Chart | undefined> {
    const row = await this.kysely.selectFrom('charts').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toChart(row) : undefined;
  }

  async listCharts(ownerId: string): Promise<Chart[]> {
    const rows = await this.kysely
      .selectFrom('charts')
      .selectAll()
      .where('owner_id', '=', ownerId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toChart);
  }

  async updateChart(id: string, patch: ChartPatch): Promise<Chart | undefined> {
    const values: Partial<ChartsTable> = { updated_at: Date.now() };
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.series !== undefined) values.series = seriesJson(patch.series);
    if (patch.timeRange !== undefined) values.time_range = patch.timeRange;
    const result = await this.kysely.updateTable('charts').set(values).where('id', '=', id).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    return this.getChart(id);
  }

  async deleteChart(id: string): Promise<boolean> {
    const result = await this.kysely.deleteFrom('charts').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

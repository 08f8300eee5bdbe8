// Saved charts: only their owner sees or changes them, and a chart may only show devices its owner
// may read (checked with the one access rule when the chart is saved).
import { randomUUID } from 'node:crypto';
import { FluxgateError } from '../contract/errors.ts';
import type { Chart, ChartPatch, ChartSeries } from '../domain/chart.ts';
import type { Storage } from '../storage/storage.ts';
import type { DeviceAccess } from './access.ts';
import type { Principal } from './auth-service.ts';

export class ChartService {
  constructor(
    private readonly storage: Storage,
    private readonly access: DeviceAccess,
  ) {}

  async create(principal: Principal, input: { name: string; series: ChartSeries[]; timeRange: string }): Promise<Chart> {
    await this.checkSeries(principal, input.series);
    return this.storage.createChart({ id: randomUUID(), ownerId: principal.userId, ...input });
  }

  list(principal: Principal): Promise<Chart[]> {
    return this.storage.listCharts(principal.userId);
  }

  async get(principal: Principal, id: string): Promise<Chart> {
    const chart = await this.storage.getChart(id);
    if (!chart || chart.ownerId !== principal.userId) throw new FluxgateError('CHART_NOT_FOUND', `Chart ${id} not found`);
    return chart;
  }

  async update(principal: Principal, id: string, patch: ChartPatch): Promise<Chart> {
    await this.get(principal, id);
    if (patch.series) await this.checkSeries(principal, patch.series);
    const chart = await this.storage.updateChart(id, patch);
    if (!chart) throw new FluxgateError('CHART_NOT_FOUND', `Chart ${id} not found`);
    return chart;
  }

  async remove(principal: Principal, id: string): Promise<void> {
    await this.get(principal, id);
    await this.storage.deleteChart(id);
  }

  private async checkSeries(principal: Principal, series: readonly ChartSeries[]): Promise<void> {
    for (const deviceId of new Set(series.map((s) => s.deviceId))) await this.access.require(principal, deviceId, 'read');
  }
}

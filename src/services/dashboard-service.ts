// User-built dashboards: the owner (or an admin) changes them; users they are shared with only view.
// Every widget may only hold devices its owner can read (checked on save), and each viewer sees only
// the devices they can read themselves (the one access rule, applied when the dashboard is shown).
import { randomUUID } from 'node:crypto';
import { FluxgateError } from '../contract/errors.ts';
import type { ChartSeries } from '../domain/chart.ts';
import type { Dashboard, DashboardContent, DashboardWidget } from '../domain/dashboard.ts';
import type { Storage } from '../storage/storage.ts';
import type { DeviceAccess } from './access.ts';
import type { Principal } from './auth-service.ts';

export interface ViewedWidget extends DashboardWidget {
  /** Devices of the widget left out of deviceIds because the viewer may not read them. */
  hiddenDevices: number;
  /** A chart widget's series of devices the viewer may read; absent when the chart was deleted. */
  series?: ChartSeries[];
}

/** A dashboard as one viewer sees it. */
export interface ViewedDashboard {
  dashboard: Dashboard;
  widgets: ViewedWidget[];
  /** The shares, for the owner and admins only (empty for other viewers). */
  sharedWith: string[];
  canEdit: boolean;
}

/** Which devices one viewer may read, remembered for the length of one request. */
type ReadableCache = Map<string, Promise<boolean>>;

export class DashboardService {
  constructor(
    private readonly storage: Storage,
    private readonly access: DeviceAccess,
  ) {}

  async create(principal: Principal, content: DashboardContent): Promise<ViewedDashboard> {
    const checked = await this.checkContent(principal, content);
    const dashboard = await this.storage.createDashboard({ id: randomUUID(), ownerId: principal.userId, ...checked });
    return this.view(principal, dashboard, new Map());
  }

  async list(principal: Principal): Promise<ViewedDashboard[]> {
    const readable: ReadableCache = new Map();
    const dashboards = await this.storage.listDashboards(principal.userId);
    return Promise.all(dashboards.map((d) => this.view(principal, d, readable)));
  }

  async get(principal: Principal, id: string): Promise<ViewedDashboard> {
    return this.view(principal, await this.visible(principal, id), new Map());
  }

  async replace(principal: Principal, id: string, content: DashboardContent): Promise<ViewedDashboard> {
    const current = await this.editable(principal, id);
    const checked = await this.checkContent(await this.ownerPrincipal(current, principal), content);
    const dashboard = await this.storage.replaceDashboard(id, checked);
    if (!dashboard) throw notFound(id);
    return this.view(principal, dashboard, new Map());
  }

  async remove(principal: Principal, id: string): Promise<void> {
    await this.editable(principal, id);
    await this.storage.deleteDashboard(id);
  }

  /** The dashboard when `principal` owns it, is an admin or it is shared with them; else 404. */
  private async visible(principal: Principal, id: string): Promise<Dashboard> {
    const dashboard = await this.storage.getDashboard(id);
    if (!dashboard) throw notFound(id);
    if (canEdit(principal, dashboard) || dashboard.sharedWith.includes(principal.userId)) return dashboard;
    throw notFound(id);
  }

  private async editable(principal: Principal, id: string): Promise<Dashboard> {
    const dashboard = await this.visible(principal, id);
    if (!canEdit(principal, dashboard)) {
      throw new FluxgateError('FORBIDDEN', `Dashboard ${id} is shared with you read-only; only its owner (or an admin) may change or delete it`);
    }
    return dashboard;
  }

  /** Devices are checked against the owner's access, also when an admin edits someone else's dashboard. */
  private async ownerPrincipal(dashboard: Dashboard, editor: Principal): Promise<Principal> {
    if (dashboard.ownerId === editor.userId) return editor;
    const owner = await this.storage.getUser(dashboard.ownerId);
    if (!owner) throw notFound(dashboard.id);
    return { userId: owner.id, role: owner.role, username: owner.username };
  }

  /** 404 DEVICE_NOT_FOUND for a device the owner cannot read, USER_NOT_FOUND for an unknown share. */
  private async checkContent(owner: Principal, content: DashboardContent): Promise<DashboardContent> {
    const widgets = await Promise.all(content.widgets.map((w) => this.withChartDevices(owner, w)));
    content = { ...content, widgets };
    for (const deviceId of new Set(content.widgets.flatMap((w) => w.deviceIds))) await this.access.require(owner, deviceId, 'read');
    // Entries are user ids or usernames (what the dashboard's share field takes); ids are stored.
    const sharedWith: string[] = [];
    for (const entry of new Set(content.sharedWith)) {
      const user = (await this.storage.getUser(entry)) ?? (await this.storage.findUserForLogin(entry));
      if (!user) throw new FluxgateError('USER_NOT_FOUND', `User ${entry} not found`, { user_id: entry });
      if (user.id === owner.userId) {
        throw new FluxgateError('VALIDATION_FAILED', 'shared_with: the owner already has full access', { field: 'shared_with' });
      }
      if (!sharedWith.includes(user.id)) sharedWith.push(user.id);
    }
    return { ...content, sharedWith };
  }

  /** A chart widget shows one of the owner's saved charts; its devices are the chart's. */
  private async withChartDevices(owner: Principal, w: DashboardWidget): Promise<DashboardWidget> {
    if (w.kind !== 'chart') return { ...w, chartId: undefined };
    const chart = w.chartId ? await this.storage.getChart(w.chartId) : undefined;
    if (!chart || chart.ownerId !== owner.userId) {
      throw new FluxgateError('CHART_NOT_FOUND', `Chart ${w.chartId ?? ''} not found among the dashboard owner's saved charts`, { field: 'chart_id' });
    }
    return { ...w, deviceIds: [...new Set(chart.series.map((x) => x.deviceId))] };
  }

  private async view(principal: Principal, dashboard: Dashboard, readable: ReadableCache): Promise<ViewedDashboard> {
    const mayRead = (deviceId: string) => {
      let known = readable.get(deviceId);
      if (!known) {
        known = this.canRead(principal, deviceId);
        readable.set(deviceId, known);
      }
      return known;
    };
    const widgets = await Promise.all(
      dashboard.widgets.map(async (w) => {
        const chart = w.kind === 'chart' && w.chartId ? await this.storage.getChart(w.chartId) : undefined;
        // A saved chart's current series decide its devices (the chart may have changed since).
        const all = chart ? [...new Set(chart.series.map((x) => x.deviceId))] : w.deviceIds;
        const allowed = await Promise.all(all.map(mayRead));
        const deviceIds = all.filter((_, i) => allowed[i]);
        const viewed: ViewedWidget = { ...w, deviceIds, hiddenDevices: all.length - deviceIds.length };
        if (chart) viewed.series = chart.series.filter((x) => deviceIds.includes(x.deviceId));
        return viewed;
      }),
    );
    const editor = canEdit(principal, dashboard);
    return { dashboard, widgets, sharedWith: editor ? dashboard.sharedWith : [], canEdit: editor };
  }

  private async canRead(principal: Principal, deviceId: string): Promise<boolean> {
    try {
      await this.access.require(principal, deviceId, 'read');
      return true;
    } catch (err) {
      if (err instanceof FluxgateError) return false;
      throw err;
    }
  }
}

const canEdit = (principal: Principal, dashboard: Dashboard) => principal.role === 'admin' || dashboard.ownerId === principal.userId;

const notFound = (id: string) => new FluxgateError('DASHBOARD_NOT_FOUND', `Dashboard ${id} not found`);

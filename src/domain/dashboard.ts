// User-built dashboards: a named grid of widgets, shareable read-only with other users.
export interface DashboardWidget {
  id: string;
  kind: string;
  title: string;
  deviceIds: string[];
  fields: string[];
  /** A relative range such as 15m, 24h or 30d. */
  range: string;
  /** Width in grid columns (of 12) and height in rows. */
  w: number;
  h: number;
  /** The saved chart a `chart` widget shows; its deviceIds are the chart's devices. */
  chartId?: string;
}

export interface Dashboard {
  id: string;
  ownerId: string;
  name: string;
  widgets: DashboardWidget[];
  /** User ids who may view it (read-only). */
  sharedWith: string[];
  createdAt: number;
  updatedAt: number;
}

export type NewDashboard = Omit<Dashboard, 'createdAt' | 'updatedAt'>;
/** A full replacement: everything but the owner and the timestamps. */
export type DashboardContent = Pick<Dashboard, 'name' | 'widgets' | 'sharedWith'>;

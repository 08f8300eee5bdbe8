// Saved charts (seed 003): a named set of (device, field) series shown over a time range.
export interface ChartSeries {
  deviceId: string;
  field: string;
  /** Shown in the legend instead of "device · field". */
  label: string | null;
}

export interface Chart {
  id: string;
  ownerId: string;
  name: string;
  series: ChartSeries[];
  /** A relative range such as 15m, 24h or 30d. */
  timeRange: string;
  createdAt: number;
  updatedAt: number;
}

export type NewChart = Omit<Chart, 'createdAt' | 'updatedAt'>;
export type ChartPatch = Partial<Pick<Chart, 'name' | 'series' | 'timeRange'>>;

export const CHART_MAX_SERIES = 20;
/** The ranges a chart may show: 15 minutes to 30 days. */
export const CHART_RANGES = ['15m', '1h', '6h', '24h', '7d', '30d'] as const;

// What the file readers of `fluxgate import` hand to the batcher: one telemetry message per row,
// with where it came from, or the reason the row cannot be imported.
import type { TimeUnit } from './import-values.ts';

export interface ImportRow {
  line: number;
  /** The row's own device (column or member), else --device; undefined when neither names one. */
  deviceId: string | undefined;
  /** A POST /telemetry message, its timestamp already in epoch milliseconds. */
  message: { timestamp: number; data: Record<string, unknown>; metadata?: unknown };
  points: number;
}

export interface BadRow {
  line: number;
  reason: string;
}

export type ReadResult = ImportRow | BadRow;

export function isBad(r: ReadResult): r is BadRow {
  return 'reason' in r;
}

export interface ReadOptions {
  device: string | undefined;
  timeColumn: string | undefined;
  deviceColumn: string | undefined;
  fieldColumn: string | undefined;
  valueColumn: string | undefined;
  timeUnit: TimeUnit;
  zone: string;
}

import type { Point } from '../../domain/telemetry.ts';

/** RFC 4180 quoting; a leading = + - @ is prefixed with ' so spreadsheets do not run it as a formula. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function formatExportLine(p: Point, format: 'csv' | 'ndjson'): string {
  const timestamp = new Date(p.ts).toISOString();
  if (format === 'ndjson') {
    return `${JSON.stringify({ timestamp, device_id: p.deviceId, field: p.field, value: p.value, ...(p.meta ? { metadata: JSON.parse(p.meta) as unknown } : {}) })}\n`;
  }
  const value = typeof p.value === 'string' ? csvCell(p.value) : String(p.value);
  return `${timestamp},${csvCell(p.deviceId)},${csvCell(p.field)},${value}\n`;
}

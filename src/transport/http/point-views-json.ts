// A history page's points as JSON text, the same text JSON.stringify(points.map(pointToView)) gives,
// written without the view objects: a page holds up to 10,000 points, and building an object per
// point, stringifying it, then measuring and encoding the string twice (Content-Length, socket) was
// most of the page's time. Consecutive points of one timestamp (a reading's fields) share one ISO
// text, and each field name is escaped once.
import type { Point, PointValue } from '../../domain/telemetry.ts';
import { isoFormatter } from './iso-time.ts';

const valueJson = (v: PointValue): string => (typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'null') : JSON.stringify(v));

/** `[{"timestamp":…,"ts":…,"field":…,"value":…,"metadata"?:…,"out_of_range"?:true},…]` */
export function pointViewsJson(points: readonly Point[], outOfRange?: (field: string, value: unknown) => boolean): string {
  const time = isoFormatter();
  const names = new Map<string, string>();
  let lastTs = Number.NaN;
  let lastTime = '';
  let out = '[';
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (p.ts !== lastTs) {
      lastTs = p.ts;
      lastTime = JSON.stringify(time(p.ts));
    }
    let name = names.get(p.field);
    if (name === undefined) {
      name = JSON.stringify(p.field);
      names.set(p.field, name);
    }
    out += `${i === 0 ? '' : ','}{"timestamp":${lastTime},"ts":${String(p.ts)},"field":${name},"value":${valueJson(p.value)}`;
    // Parsed and written again, as the view does: stored metadata text is not assumed to be canonical.
    if (p.meta) out += `,"metadata":${JSON.stringify(JSON.parse(p.meta))}`;
    out += outOfRange?.(p.field, p.value) ? ',"out_of_range":true}' : '}';
  }
  return `${out}]`;
}

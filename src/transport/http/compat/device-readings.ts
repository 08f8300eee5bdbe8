// Readings of several devices in one answer (IoTFlow's telemetry by user, the Energy Management
// System's measurements): read straight from the query service, so one request costs the caller one
// request of their rate limit however many devices it covers.
import type { Device } from '../../../domain/device.ts';
import { DAY } from '../../../domain/time.ts';
import type { Principal } from '../../../services/auth-service.ts';
import type { HttpDeps } from '../http-deps.ts';
import { parseRange } from '../routes/telemetry-routes.ts';
import { pointToView } from '../views.ts';

export interface ReadingsQuery {
  start_time?: string | undefined;
  end_time?: string | undefined;
  /** Points per device, capped at QUERY_MAX_LIMIT. */
  limit: number;
}

/** Per device, its points in the range, newest first; devices the principal may not read are refused. */
export async function readingsOf(deps: HttpDeps, principal: Principal, devices: readonly Device[], q: ReadingsQuery) {
  const { start, end } = parseRange(q, DAY);
  const limit = Math.min(q.limit, deps.options.queryMaxLimit);
  return Promise.all(
    devices.map(async (d) => {
      await deps.access.require(principal, d.id, 'read');
      const page = await deps.queries.history({ deviceId: d.id, start, end, limit, order: 'desc' });
      return { device: d, points: page.points.map((p) => pointToView(p)) };
    }),
  );
}

/** Every device the principal may see (admins: all), page by page. */
export async function visibleDevices(deps: HttpDeps, principal: Principal): Promise<Device[]> {
  const all: Device[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await deps.devices.list(principal, { limit: 1000, offset });
    all.push(...page.items);
    if (page.items.length < 1000 || all.length >= page.total) return all;
  }
}

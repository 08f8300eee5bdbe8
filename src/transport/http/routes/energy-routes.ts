// Energy consumption (seed 004): hourly for a local day, daily for a local date range.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FluxgateError } from '../../../contract/errors.ts';
import { energyDailyQuery, energyHourlyQuery } from '../../../contract/http/telemetry.ts';
import type { Principal } from '../../../services/auth-service.ts';
import { DAY, checkTimeZone, localDayRange, localLabel } from '../../../domain/time.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireUser } from '../request-auth.ts';

const MAX_DAYS = 366;
const PAGE = 1000;

const energyResponse = z.object({
  device_ids: z.array(z.string()),
  tz: z.string(),
  unit: z.literal('kWh'),
  total: z.number(),
  sources: z.record(z.string(), z.string().nullable()).describe('Per device, the field the figures came from'),
  buckets: z.array(z.object({ label: z.string(), start: z.string(), end: z.string(), value: z.number() })),
});

export function energyRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['energy'];
  const security = [{ bearer: [] }];

  async function devicesFor(principal: Principal, deviceId: string | undefined): Promise<string[]> {
    if (deviceId) return [(await deps.access.require(principal, deviceId, 'read')).id];
    // Every device the user may see, page by page: a fleet larger than one page must not be summed in part.
    const ids: string[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await deps.devices.list(principal, { limit: PAGE, offset });
      ids.push(...page.items.map((d) => d.id));
      if (page.items.length < PAGE || offset + PAGE >= page.total) return [...new Set(ids)];
    }
  }

  async function answer(principal: Principal, deviceId: string | undefined, start: number, end: number, unit: 'hour' | 'day', tz: string) {
    const ids = await devicesFor(principal, deviceId);
    const series = await deps.energy.series(ids, start, end, unit, tz);
    const buckets = series.values.map((value, i) => ({
      label: localLabel(series.edges[i]!, tz, unit),
      start: new Date(series.edges[i]!).toISOString(),
      end: new Date(series.edges[i + 1]!).toISOString(),
      value,
    }));
    return { device_ids: ids, tz, unit: 'kWh' as const, total: series.values.reduce((a, b) => a + b, 0), sources: series.sources, buckets };
  }

  r.get(
    '/api/v1/energy/hourly',
    { schema: { tags, summary: 'Consumption per local hour of one day (23 or 25 hours on DST days)', security, querystring: energyHourlyQuery, response: { 200: energyResponse } } },
    async (request) => {
      const principal = await requireUser(deps.auth, request);
      const tz = checkTimeZone(request.query.tz);
      const { start, end } = localDayRange(request.query.date, tz);
      return answer(principal, request.query.device_id, start, end, 'hour', tz);
    },
  );

  r.get(
    '/api/v1/energy/daily',
    { schema: { tags, summary: 'Consumption per local day of a date range (end inclusive)', security, querystring: energyDailyQuery, response: { 200: energyResponse } } },
    async (request) => {
      const principal = await requireUser(deps.auth, request);
      const tz = checkTimeZone(request.query.tz);
      const first = localDayRange(request.query.start, tz, 'start');
      const last = localDayRange(request.query.end, tz, 'end');
      if (last.end <= first.start) throw new FluxgateError('INVALID_TIME', 'end must not be before start');
      if (last.end - first.start > (MAX_DAYS + 1) * DAY) throw new FluxgateError('INVALID_TIME', `at most ${MAX_DAYS} days`);
      return answer(principal, request.query.device_id, first.start, last.end, 'day', tz);
    },
  );
}

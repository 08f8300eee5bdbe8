// User-built dashboards: CRUD under /api/v1/dashboards, shown to each viewer with only the devices
// they may read; shared users view them read-only.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponse } from '../../../contract/http/common.ts';
import { type DashboardView, dashboardBody, dashboardIdParam, dashboardView } from '../../../contract/http/dashboards.ts';
import type { DashboardContent } from '../../../domain/dashboard.ts';
import type { ViewedDashboard } from '../../../services/dashboard-service.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireUser } from '../request-auth.ts';

function toContent(body: z.output<typeof dashboardBody>): DashboardContent {
  return {
    name: body.name,
    widgets: body.widgets.map((w) => ({ id: w.id, kind: w.kind, title: w.title, deviceIds: w.device_ids, fields: w.fields, range: w.range, w: w.w, h: w.h, chartId: w.chart_id })),
    sharedWith: body.shared_with,
  };
}

export function dashboardToView(v: ViewedDashboard): DashboardView {
  const d = v.dashboard;
  return {
    id: d.id,
    name: d.name,
    owner_id: d.ownerId,
    widgets: v.widgets.map((w) => ({
      id: w.id,
      kind: w.kind as DashboardView['widgets'][number]['kind'],
      title: w.title,
      device_ids: w.deviceIds,
      fields: w.fields,
      range: w.range as DashboardView['widgets'][number]['range'],
      w: w.w,
      h: w.h,
      hidden_devices: w.hiddenDevices,
      ...(w.chartId !== undefined && { chart_id: w.chartId }),
      ...(w.series && { series: w.series.map((x) => ({ device_id: x.deviceId, field: x.field, label: x.label })) }),
    })),
    shared_with: v.sharedWith,
    can_edit: v.canEdit,
    created_at: new Date(d.createdAt).toISOString(),
    updated_at: new Date(d.updatedAt).toISOString(),
  };
}

export function dashboardRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['dashboards'];
  const security = [{ bearer: [] }];

  r.get(
    '/api/v1/dashboards',
    { schema: { tags, summary: 'Your dashboards and those shared with you, newest first', security, response: { 200: z.object({ dashboards: z.array(dashboardView) }) } } },
    async (request) => ({ dashboards: (await deps.dashboards.list(await requireUser(deps.auth, request))).map(dashboardToView) }),
  );

  r.post(
    '/api/v1/dashboards',
    {
      schema: {
        tags,
        summary: 'Save a dashboard of widgets (devices you may read; shared_with: users who may view it)',
        security,
        body: dashboardBody,
        response: { 201: dashboardView, 404: errorResponse },
      },
    },
    async (request, reply) => {
      const viewed = await deps.dashboards.create(await requireUser(deps.auth, request), toContent(request.body));
      return reply.code(201).send(dashboardToView(viewed));
    },
  );

  r.get(
    '/api/v1/dashboards/:id',
    { schema: { tags, summary: 'A dashboard, with only the devices you may read', security, params: dashboardIdParam, response: { 200: dashboardView, 404: errorResponse } } },
    async (request) => dashboardToView(await deps.dashboards.get(await requireUser(deps.auth, request), request.params.id)),
  );

  r.put(
    '/api/v1/dashboards/:id',
    {
      schema: {
        tags,
        summary: 'Replace a dashboard (owner or admin)',
        security,
        params: dashboardIdParam,
        body: dashboardBody,
        response: { 200: dashboardView, 403: errorResponse, 404: errorResponse },
      },
    },
    async (request) => dashboardToView(await deps.dashboards.replace(await requireUser(deps.auth, request), request.params.id, toContent(request.body))),
  );

  r.delete(
    '/api/v1/dashboards/:id',
    { schema: { tags, summary: 'Delete a dashboard (owner or admin)', security, params: dashboardIdParam } },
    async (request, reply) => {
      await deps.dashboards.remove(await requireUser(deps.auth, request), request.params.id);
      return reply.code(204).send();
    },
  );
}

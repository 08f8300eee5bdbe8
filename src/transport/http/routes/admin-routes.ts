import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditQuery, auditView, compactionView, deviceStatusView, retentionRunView, setStatusBody, statsView, storageOverviewView } from '../../../contract/http/admin.ts';
import { deviceStatus, deviceIdParam } from '../../../contract/http/devices.ts';
import { pagination } from '../../../contract/http/common.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireAdmin, requireUser } from '../request-auth.ts';
import { auditToView, deviceToView } from '../views.ts';

export function adminRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin'];
  const security = [{ bearer: [] }];
  const admin = async (request: FastifyRequest) => {
    const principal = await requireUser(deps.auth, request);
    requireAdmin(principal);
    return principal;
  };

  r.get('/api/v1/admin/stats', { schema: { tags, summary: 'Platform statistics (admin)', security, response: { 200: statsView } } }, async (request) => {
    await admin(request);
    const s = await deps.admin.stats();
    return {
      users: s.users,
      devices: s.devices,
      devices_by_status: s.devicesByStatus,
      devices_by_type: s.devicesByType,
      points_stored: s.points,
      ingest_points_per_second: s.ingestPointsPerSecond,
      connections: s.connections,
      storage: {
        kind: s.storageKind,
        bytes: s.diskBytes,
        bytes_per_point: s.points > 0 ? Math.round((s.diskBytes / s.points) * 10) / 10 : null,
        chunks: s.chunks.chunks,
        compaction_backlog: s.chunks.backlog,
        old_layout_points: s.chunks.oldLayoutPoints,
      },
    };
  });

  const days = (d: { raw: number; minute: number; hour: number }) => ({ raw_days: d.raw, minute_days: d.minute, hour_days: d.hour });
  r.get(
    '/api/v1/admin/storage',
    {
      schema: {
        tags,
        summary: 'Telemetry on disk per profile and per device, with the retention that applies (admin)',
        security,
        querystring: z.object({ top: z.coerce.number().int().min(1).max(1000).default(20).describe('How many of the largest devices to list') }),
        response: { 200: storageOverviewView },
      },
    },
    async (request) => {
      await admin(request);
      const o = await deps.admin.storageOverview(request.query.top);
      return {
        defaults: days(o.defaults),
        totals: o.totals,
        profiles: o.profiles.map((p) => ({ profile_id: p.profileId, name: p.name, devices: p.devices, points: p.points, bytes: p.bytes, retention: days(p.retention) })),
        devices: o.devices.map((d) => ({ id: d.deviceId, name: d.name, device_type: d.deviceType, chunks: d.chunks, points: d.points, bytes: d.bytes })),
      };
    },
  );

  r.post(
    '/api/v1/admin/storage/retention',
    { schema: { tags, summary: 'Apply the retention policies now rather than at the next sweep (admin)', security, response: { 200: retentionRunView } } },
    async (request) => {
      await admin(request);
      const done = await deps.admin.applyRetention();
      return { dropped_chunks: done.droppedChunks, dropped_points: done.droppedPoints, kept_minute_rows: done.keptMinuteRows, dropped_rollup_rows: done.droppedRollupRows };
    },
  );

  r.post(
    '/api/v1/admin/storage/compact',
    { schema: { tags, summary: 'Compact telemetry now rather than in the background (admin)', security, response: { 200: compactionView } } },
    async (request) => {
      await admin(request);
      const done = await deps.admin.compact();
      return { moved_points: done.movedPoints, merged_windows: done.mergedWindows };
    },
  );

  r.get(
    '/api/v1/admin/devices/statuses',
    {
      schema: {
        tags,
        summary: 'Status and presence of every device (admin)',
        security,
        querystring: z.object({ status: deviceStatus.optional(), ...pagination }),
        response: { 200: z.object({ devices: z.array(deviceStatusView), total: z.number() }) },
      },
    },
    async (request) => {
      const principal = await admin(request);
      const q = request.query;
      const page = await deps.devices.list(principal, { ...(q.status ? { status: q.status } : {}), limit: q.limit, offset: q.offset });
      return {
        devices: page.items.map((d) => {
          const v = deviceToView(d, deps.options.offlineAfterMs);
          return { id: v.id, name: v.name, status: v.status, online: v.online, last_seen: v.last_seen, owner_id: v.owner_id };
        }),
        total: page.total,
      };
    },
  );

  r.put(
    '/api/v1/admin/devices/:id/status',
    { schema: { tags, summary: 'Set a device status, e.g. maintenance (admin)', security, params: deviceIdParam, body: setStatusBody, response: { 200: deviceStatusView } } },
    async (request) => {
      const principal = await admin(request);
      const v = deviceToView(await deps.devices.update(principal, request.params.id, { status: request.body.status }), deps.options.offlineAfterMs);
      return { id: v.id, name: v.name, status: v.status, online: v.online, last_seen: v.last_seen, owner_id: v.owner_id };
    },
  );

  r.get(
    '/api/v1/admin/audit',
    { schema: { tags, summary: 'The audit log, newest first (admin)', security, querystring: auditQuery, response: { 200: z.object({ entries: z.array(auditView) }) } } },
    async (request) => {
      await admin(request);
      const q = request.query;
      const entries = await deps.auth.audit.list({
        ...(q.actor_id ? { actorId: q.actor_id } : {}),
        ...(q.target_type ? { targetType: q.target_type } : {}),
        ...(q.target_id ? { targetId: q.target_id } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.before_id ? { beforeId: q.before_id } : {}),
        limit: q.limit,
      });
      return { entries: entries.map(auditToView) };
    },
  );
}

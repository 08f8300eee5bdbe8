// /api/v1/admin: platform statistics, device statuses, the audit log.
import { z } from 'zod';

export const statsView = z.object({
  users: z.number(),
  devices: z.number(),
  devices_by_status: z.record(z.string(), z.number()),
  devices_by_type: z.record(z.string(), z.number()),
  points_stored: z.number(),
  ingest_points_per_second: z.number().describe('Points stored per second on this node, averaged over the last minute'),
  connections: z.record(z.string(), z.number()).describe('Open connections per transport on this node'),
  storage: z
    .object({
      kind: z.enum(['sqlite', 'postgres']),
      bytes: z.number().describe('Bytes the database takes on disk (SQLite: file and WAL; PostgreSQL: the schema\'s tables with indexes)'),
      bytes_per_point: z.number().nullable().describe('bytes ÷ points stored, everything included (rollups, indexes, devices, …); null before the first point'),
      chunks: z.number().describe('Compressed chunks of telemetry (one series, one time window each)'),
      compaction_backlog: z.number().describe('Chunks waiting for compaction (merged in the background within seconds)'),
      old_layout_points: z.number().describe('Points still in the one-row-per-point table of an upgraded install, being moved into chunks in the background'),
    })
    .describe('Disk usage; `fluxgate admin storage` lists it per table'),
});

export const compactionView = z.object({
  moved_points: z.number().describe('Points moved from the old one-row-per-point table into chunks'),
  merged_windows: z.number().describe('Series time windows whose chunks were merged'),
});

const retentionDaysView = z
  .object({
    raw_days: z.number().describe('Days raw points are kept; 0 forever'),
    minute_days: z.number().describe('Days minute rollups are kept; 0 forever'),
    hour_days: z.number().describe('Days hourly rollups are kept; 0 forever'),
  })
  .describe('Retention in days (0 keeps forever)');

export const storageOverviewView = z.object({
  defaults: retentionDaysView.describe('The RETENTION_* settings, used where no profile or field says otherwise'),
  totals: z.object({ chunks: z.number(), points: z.number(), bytes: z.number().describe('Bytes of compressed telemetry (chunk payloads; rollups and indexes not included)') }),
  profiles: z.array(
    z.object({
      profile_id: z.string().nullable().describe('null: devices no profile describes'),
      name: z.string(),
      devices: z.number(),
      points: z.number(),
      bytes: z.number(),
      retention: retentionDaysView.describe("The profile's policy over the defaults; a field of the profile may override it"),
    }),
  ),
  devices: z.array(
    z.object({ id: z.string(), name: z.string(), device_type: z.string(), chunks: z.number(), points: z.number(), bytes: z.number() }),
  ).describe('The devices holding the most telemetry, largest first'),
});

export const retentionRunView = z.object({
  dropped_chunks: z.number(),
  dropped_points: z.number(),
  kept_minute_rows: z.number().describe('Minute rollups stored for dropped raw points, since minute rollups are kept longer'),
  dropped_rollup_rows: z.number(),
});

export const deviceStatusView = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['active', 'inactive', 'maintenance']),
  online: z.boolean(),
  last_seen: z.string().nullable(),
  owner_id: z.string(),
});

export const setStatusBody = z.object({ status: z.enum(['active', 'inactive', 'maintenance']) });

export const auditQuery = z.object({
  actor_id: z.string().max(100).optional(),
  target_type: z.enum(['user', 'device', 'key', 'session']).optional(),
  target_id: z.string().max(200).optional(),
  action: z.string().max(100).optional(),
  before_id: z.coerce.number().int().positive().optional().describe('Page: entries older than this id'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const auditView = z.object({
  id: z.number(),
  at: z.string(),
  actor_id: z.string().nullable(),
  actor_name: z.string().nullable(),
  action: z.string(),
  target_type: z.string(),
  target_id: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

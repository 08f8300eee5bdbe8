// The admin overview (seed 003): users, devices by status and type, points stored, the ingest rate
// of this node over the last minute, and open connections per transport.
import type { ChunkStats, RetentionResult, Storage, StorageStats } from '../storage/storage.ts';
import { type StorageOverview, storageOverview } from './storage-overview.ts';
import type { TelemetryRetention } from './telemetry-retention.ts';
import type { IngestRate } from './ingest-rate.ts';

export interface AdminStats extends StorageStats {
  ingestPointsPerSecond: number;
  connections: Record<string, number>;
  storageKind: Storage['kind'];
  diskBytes: number;
  chunks: ChunkStats;
}

export class AdminService {
  private readonly connectionCounters = new Map<string, () => Promise<number> | number>();

  constructor(
    private readonly storage: Storage,
    private readonly rate: IngestRate,
    private readonly retention: TelemetryRetention,
  ) {}

  /** A transport (http, mqtt, websocket) tells how many connections it holds open. */
  registerConnections(transport: string, count: () => Promise<number> | number): void {
    this.connectionCounters.set(transport, count);
  }

  async stats(): Promise<AdminStats> {
    const [stats, disk, chunks] = await Promise.all([this.storage.stats(), this.storage.diskUsage(), this.storage.chunkStats()]);
    const connections: Record<string, number> = {};
    for (const [name, count] of this.connectionCounters) connections[name] = await count();
    return { ...stats, ingestPointsPerSecond: Math.round(this.rate.perSecond() * 1000) / 1000, connections, storageKind: this.storage.kind, diskBytes: disk.totalBytes, chunks };
  }

  /** Telemetry per profile and for the largest devices, with the retention that applies. */
  storageOverview(topDevices: number): Promise<StorageOverview> {
    return storageOverview(this.storage, this.retention.profiles, this.retention.defaults, topDevices);
  }

  /** Applies the retention policies now instead of at the next sweep. */
  applyRetention(): Promise<RetentionResult> {
    return this.retention.sweep();
  }

  /** Compacts telemetry now instead of waiting for the background steps. */
  compact(): Promise<{ movedPoints: number; mergedWindows: number }> {
    return this.storage.compact();
  }
}

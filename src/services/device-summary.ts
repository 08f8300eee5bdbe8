// The fleet overview in one call: how many devices the caller sees, online and offline, by status
// and by type, and the live ingest rate. Counted by one GROUP BY in storage, never by loading devices.
import { DEVICE_STATUSES } from '../domain/device.ts';
import type { Storage } from '../storage/storage.ts';
import type { Principal } from './auth-service.ts';
import type { IngestRate } from './ingest-rate.ts';
import type { Presence } from './presence.ts';

export interface DeviceSummary {
  total: number;
  online: number;
  offline: number;
  byStatus: Record<string, number>;
  byType: Record<string, { total: number; online: number }>;
  /** Points stored per second over the last minute: this node's all (admins) or the caller's visible devices'. */
  ingestPointsPerSecond: number;
  ingestScope: 'platform' | 'visible_devices';
}

export class DeviceSummaryService {
  constructor(
    private readonly storage: Storage,
    private readonly presence: Presence,
    private readonly rate: IngestRate,
    private readonly offlineAfterMs: number,
  ) {}

  async summary(principal: Principal, now = Date.now()): Promise<DeviceSummary> {
    const admin = principal.role === 'admin';
    const visibleTo = admin ? undefined : principal.userId;
    const connectivity = this.presence.connectivityFacts(this.offlineAfterMs, now);
    const [groups, rate] = await Promise.all([
      this.storage.countDevices({ visibleTo, connectivity }),
      admin ? this.rate.perSecond(now) : this.storage.visibleDeviceIds(principal.userId).then((ids) => this.rate.perSecondOf(new Set(ids), now)),
    ]);
    const byStatus: Record<string, number> = Object.fromEntries(DEVICE_STATUSES.map((s) => [s, 0]));
    const byType: Record<string, { total: number; online: number }> = {};
    let total = 0;
    let online = 0;
    for (const g of groups) {
      total += g.total;
      online += g.online;
      byStatus[g.status] = (byStatus[g.status] ?? 0) + g.total;
      const t = (byType[g.deviceType] ??= { total: 0, online: 0 });
      t.total += g.total;
      t.online += g.online;
    }
    const sortedTypes = Object.fromEntries(Object.entries(byType).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return {
      total,
      online,
      offline: total - online,
      byStatus,
      byType: sortedTypes,
      ingestPointsPerSecond: Math.round(rate * 1000) / 1000,
      ingestScope: admin ? 'platform' : 'visible_devices',
    };
  }
}

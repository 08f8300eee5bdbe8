// Health of this node: storage reachable, ingest able to commit, how much is waiting.
import type { Storage } from '../storage/storage.ts';

export interface ComponentHealth {
  ok: boolean;
  [detail: string]: unknown;
}

export interface HealthReport {
  healthy: boolean;
  checks: Record<string, ComponentHealth>;
}

export type HealthCheck = () => ComponentHealth | Promise<ComponentHealth>;

export class HealthService {
  private readonly checks = new Map<string, HealthCheck>();

  constructor(storage: Storage) {
    this.register('storage', async () => {
      const started = performance.now();
      try {
        await storage.ping();
        return { ok: true, kind: storage.kind, latency_ms: Math.round((performance.now() - started) * 100) / 100 };
      } catch (err) {
        return { ok: false, kind: storage.kind, error: (err as Error).message };
      }
    });
  }

  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  async report(): Promise<HealthReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          return [name, await check()] as const;
        } catch (err) {
          return [name, { ok: false, error: (err as Error).message }] as const;
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    return { healthy: entries.every(([, c]) => c.ok), checks };
  }
}

// Rate limits, named so a 429 can say which one tripped: `login` failed logins per client IP (brute
// force), `register` registrations per client IP, `ingest` requests per device, `api` requests per user,
// `api_key` unknown X-API-Key values per client IP (device-key brute force). In memory by default; with a Redis
// client the counters are shared by every node (rate-limiter-flexible, with an in-memory insurance
// limiter so a Redis outage degrades to per-node limits instead of failing requests).
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { FluxgateError } from '../contract/errors.ts';

export const LIMIT_NAMES = ['login', 'register', 'ingest', 'api', 'api_key'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

export interface LimitSpec {
  /** Requests allowed per window; 0 turns the limit off. */
  points: number;
  windowSeconds: number;
}

/** A limit left out is off. */
export type LimitSpecs = Partial<Record<LimitName, LimitSpec>>;

export class RateLimits {
  private readonly limiters = new Map<LimitName, RateLimiterAbstract>();

  constructor(
    private readonly specs: LimitSpecs,
    options: { redis?: Redis | undefined; keyPrefix?: string } = {},
  ) {
    for (const name of LIMIT_NAMES) {
      const spec = specs[name];
      if (!spec || spec.points <= 0) continue;
      const base = { points: spec.points, duration: spec.windowSeconds, keyPrefix: `${options.keyPrefix ?? 'fluxgate'}:rl:${name}` };
      this.limiters.set(
        name,
        options.redis
          ? new RateLimiterRedis({ ...base, storeClient: options.redis, insuranceLimiter: new RateLimiterMemory(base) })
          : new RateLimiterMemory(base),
      );
    }
  }

  get store(): 'redis' | 'memory' {
    return [...this.limiters.values()].some((l) => l instanceof RateLimiterRedis) ? 'redis' : 'memory';
  }

  private refusal(name: LimitName, msBeforeNext: number): FluxgateError {
    const spec = this.specs[name] ?? { points: 0, windowSeconds: 0 };
    const retryAfter = Math.max(1, Math.ceil(msBeforeNext / 1000));
    return new FluxgateError('RATE_LIMITED', `Rate limit '${name}' exceeded: ${spec.points} requests per ${spec.windowSeconds} s; retry in ${retryAfter} s`, {
        limit: name,
        points: spec.points,
        window_seconds: spec.windowSeconds,
        retry_after_seconds: retryAfter,
      });
  }

  /** Counts one request of `key` against limit `name`; throws RATE_LIMITED when it is over. */
  async consume(name: LimitName, key: string): Promise<void> {
    const limiter = this.limiters.get(name);
    if (!limiter) return;
    try {
      await limiter.consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw this.refusal(name, err.msBeforeNext);
      throw err;
    }
  }

  /** Throws RATE_LIMITED when `key` has used up limit `name`, without counting a request. */
  async check(name: LimitName, key: string): Promise<void> {
    const limiter = this.limiters.get(name);
    if (!limiter) return;
    const res = await limiter.get(key);
    if (res && res.remainingPoints <= 0) throw this.refusal(name, res.msBeforeNext);
  }
}

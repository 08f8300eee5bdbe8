// A thin wrapper over autocannon: one bounded run against a local server, reduced to the figures
// the benches print.
import autocannon from 'autocannon';
import { cpuSeconds } from './children.ts';

export interface LoadResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  durationSec: number;
  /** CPU seconds the server process used per request (all its threads), when its pid is known. */
  serverCpuPerRequest?: number;
}

export interface LoadOptions {
  /** Server pid, to measure its CPU time during the run. */
  serverPid?: number;
  url: string;
  connections: number;
  durationSec: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** A fresh body per request (so no two requests carry the same points); `conn` is per connection. */
  body?: (conn: Record<string, unknown>) => string;
  /** Per-connection headers, fixed on the connection's first request (e.g. one device key each). */
  connectionHeaders?: (conn: Record<string, unknown>) => Record<string, string>;
  /** Requests per second over all connections (autocannon's overallRate); unlimited when absent. */
  overallRate?: number;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const cpu0 = o.serverPid ? cpuSeconds(o.serverPid) : 0;
  const result = await autocannon({
    url: o.url,
    connections: o.connections,
    duration: o.durationSec,
    pipelining: 1,
    ...(o.overallRate ? { overallRate: o.overallRate } : {}),
    method: o.method ?? 'GET',
    headers: { ...(o.body ? { 'content-type': 'application/json' } : {}), ...o.headers },
    requests: [
      {
        setupRequest: (req, context) => {
          const conn = context as Record<string, unknown>;
          const headers = o.connectionHeaders ? { ...req.headers, ...o.connectionHeaders(conn) } : req.headers;
          return { ...req, headers, ...(o.body ? { body: o.body(conn) } : {}) };
        },
      },
    ],
  });
  const durationSec = result.duration;
  return {
    requestsPerSec: result.requests.total / durationSec,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    durationSec,
    ...(o.serverPid ? { serverCpuPerRequest: (cpuSeconds(o.serverPid) - cpu0) / result.requests.total } : {}),
  };
}

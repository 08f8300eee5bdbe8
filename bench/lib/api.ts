// The few API calls the benches need to set up: log in as admin, create devices.
import { ADMIN_PASSWORD, METRICS_TOKEN } from './children.ts';

async function call<T>(url: string, init: RequestInit & { json?: unknown; token?: string }): Promise<T> {
  const headers: Record<string, string> = {};
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const res = await fetch(url, { ...init, headers, body: init.json === undefined ? null : JSON.stringify(init.json) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url} → ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export async function adminToken(base: string): Promise<string> {
  const r = await call<{ access_token: string }>(`${base}/api/v1/auth/login`, {
    method: 'POST',
    json: { username: 'admin', password: ADMIN_PASSWORD },
  });
  return r.access_token;
}

export async function createDevices(base: string, token: string, count: number, prefix = 'bench'): Promise<Array<{ id: string; key: string }>> {
  const out: Array<{ id: string; key: string }> = [];
  for (let i = 0; i < count; i++) {
    const r = await call<{ id: string; api_key: string }>(`${base}/api/v1/devices`, {
      method: 'POST',
      token,
      json: { id: `${prefix}-${i}`, name: `Bench device ${i}` },
    });
    out.push({ id: r.id, key: r.api_key });
  }
  return out;
}

export async function getJson<T>(url: string, token: string): Promise<T> {
  return call<T>(url, { method: 'GET', token });
}

export async function sendJson<T>(method: 'POST' | 'PUT', url: string, token: string, json: unknown): Promise<T> {
  return call<T>(url, { method, token, json });
}


/** Group-commit figures from the Prometheus endpoint: commits so far, points in them, seconds spent. */
export async function commitStats(base: string): Promise<{ commits: number; points: number; seconds: number }> {
  const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    commits: value('fluxgate_commit_batch_points_count'),
    points: value('fluxgate_commit_batch_points_sum'),
    seconds: value('fluxgate_commit_seconds_sum'),
  };
}

// Shared pieces of the failing-dependency tests: an HTTP ingest loop that records which points were
// acknowledged, polling until a condition holds, and a QoS 1 publish that reports whether its
// PUBACK came or the connection closed first.
import type { MqttClient } from 'mqtt';

export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface IngestOutcome {
  status: number;
  code?: string;
  retryAfter?: string | null;
}

export async function postPoints(url: string, apiKey: string, body: unknown): Promise<IngestOutcome> {
  const res = await fetch(`${url}/api/v1/telemetry`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    // not JSON
  }
  return { status: res.status, code, retryAfter: res.headers.get('retry-after') };
}

/** Sends one point per request, back to back, until stopped; remembers the timestamps answered 201. */
export function ingestLoop(url: string, apiKey: string, t0: number) {
  const acked: number[] = [];
  const statuses = new Map<number, number>();
  const unexpected: string[] = [];
  let running = true;
  let i = 0;
  const done = (async () => {
    while (running) {
      const ts = t0 + i++;
      try {
        const out = await postPoints(url, apiKey, { v: ts - t0, timestamp: ts });
        statuses.set(out.status, (statuses.get(out.status) ?? 0) + 1);
        if (out.status === 201) acked.push(ts);
        else if (out.status !== 503 || out.code !== 'STORAGE_UNAVAILABLE') unexpected.push(`${out.status} ${out.code}`);
      } catch (err) {
        unexpected.push((err as Error).message);
      }
      if (!running) break;
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  return {
    acked,
    statuses,
    unexpected,
    refused: () => statuses.get(503) ?? 0,
    async stop() {
      running = false;
      await done;
    },
  };
}

/** Publishes at QoS 1; resolves 'puback' or 'closed', whichever happens first. */
export function publishOutcome(client: MqttClient, topic: string, payload: string, waitMs = 15_000): Promise<'puback' | 'closed' | 'timeout'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), waitMs);
    const onClose = () => {
      clearTimeout(timer);
      resolve('closed');
    };
    client.once('close', onClose);
    client.publish(topic, payload, { qos: 1 }, (err) => {
      client.off('close', onClose);
      clearTimeout(timer);
      resolve(err ? 'closed' : 'puback');
    });
  });
}

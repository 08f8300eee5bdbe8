// Load for the crash test: HTTP clients and MQTT QoS 1 clients, one device each, every point a
// unique (device, timestamp) with value = its sequence number. A point counts as acknowledged only
// when its HTTP 201 or its PUBACK arrived. Unacknowledged sends are retried (HTTP: the same body
// again; MQTT: mqtt.js resends its in-flight QoS 1 packets on reconnect, DUP set), so the platform
// sees redeliveries of points it may already have committed.
import mqtt, { type MqttClient } from 'mqtt';

export interface Ledger {
  /** deviceId → sequence numbers whose points were acknowledged. */
  acked: Map<string, Set<number>>;
  /** deviceId → sequence numbers ever sent (acknowledged or not). */
  sent: Map<string, number>;
}

export interface DeviceCredentials {
  id: string;
  apiKey: string;
}

/** The timestamp of point `seq` of a device: one millisecond apart from a fixed base. */
export const pointTs = (base: number, seq: number) => base + seq;

function messages(base: number, from: number, count: number): Array<{ timestamp: number; v: number }> {
  return Array.from({ length: count }, (_, i) => ({ timestamp: pointTs(base, from + i), v: from + i }));
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LoadClient {
  /** Sends that are not acknowledged yet (being retried). */
  readonly pending: number;
  /** Stop making new sends; keep retrying what is pending. */
  quiesce(): void;
  /** Resolves when nothing is pending (after quiesce). */
  drained(): Promise<void>;
  close(): Promise<void>;
  /** Errors that are not "the platform is down" (a 4xx, a refused CONNECT): the test fails on them. */
  readonly errors: string[];
}

function ackedSet(ledger: Ledger, deviceId: string): Set<number> {
  let set = ledger.acked.get(deviceId);
  if (!set) ledger.acked.set(deviceId, (set = new Set()));
  return set;
}

/** One HTTP client: POSTs batches of `batch` points back to back, retrying a batch until it gets 201. */
export function httpClient(baseUrl: string, device: DeviceCredentials, base: number, batch: number, ledger: Ledger, paceMs = 0): LoadClient {
  let quiet = false;
  let closed = false;
  let pending = 0;
  const errors: string[] = [];
  const acked = ackedSet(ledger, device.id);
  const loop = (async () => {
    let next = 0;
    while (!closed && !quiet) {
      const from = next;
      next += batch;
      ledger.sent.set(device.id, next);
      pending = 1;
      const body = JSON.stringify(messages(base, from, batch));
      for (;;) {
        if (closed) return;
        try {
          const res = await fetch(`${baseUrl}/api/v1/telemetry`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-api-key': device.apiKey },
            body,
            signal: AbortSignal.timeout(10_000),
          });
          const text = await res.text();
          if (res.status === 201) break;
          // 503: storage refused; 502/504: a load balancer whose node died under the request.
          if (![502, 503, 504].includes(res.status)) errors.push(`HTTP ${res.status}: ${text.slice(0, 200)}`);
        } catch {
          // connection refused or reset: the platform is down; retry the same batch
        }
        await pause(20);
      }
      for (let s = from; s < from + batch; s++) acked.add(s);
      pending = 0;
      if (paceMs > 0) await pause(paceMs);
    }
  })();
  return {
    get pending() {
      return pending;
    },
    errors,
    quiesce() {
      quiet = true;
    },
    async drained() {
      await loop;
    },
    async close() {
      closed = true;
      await loop;
    },
  };
}

/**
 * One MQTT client with a persistent session (clean=false): keeps `window` QoS 1 publishes of
 * `batch` points in flight. mqtt.js keeps unacknowledged publishes in its outgoing store and
 * resends them after reconnecting, which is the client retry the test wants.
 */
export function mqttClient(mqttUrl: string, device: DeviceCredentials, base: number, batch: number, window: number, ledger: Ledger, paceMs = 0): LoadClient {
  let quiet = false;
  let inFlight = 0;
  let next = 0;
  const errors: string[] = [];
  const acked = ackedSet(ledger, device.id);
  const client: MqttClient = mqtt.connect(mqttUrl, {
    protocolVersion: 4,
    clientId: `crash-${device.id}`,
    username: device.id,
    password: device.apiKey,
    clean: false,
    reconnectPeriod: 100,
    connectTimeout: 3000,
    resubscribe: false,
  });
  client.on('error', (err) => {
    const code = (err as { code?: unknown }).code;
    // Connection errors are the platform being down; a CONNACK refusal is a real error.
    if (typeof code === 'number') errors.push(`MQTT CONNECT refused: ${err.message}`);
  });
  let wake: (() => void) | undefined;
  const retry: number[] = [];
  const publishOne = (): void => {
    let from = retry.shift();
    if (from === undefined) {
      from = next;
      next += batch;
      ledger.sent.set(device.id, next);
    }
    inFlight++;
    client.publish(`devices/${device.id}/data`, JSON.stringify(messages(base, from, batch)), { qos: 1 }, (err) => {
      inFlight--;
      if (err) {
        // mqtt.js fails publishes it queued but never sent when the connection closes during its
        // resend of stored packets: not acknowledged, so the client sends them again.
        if (err.message === 'Connection closed') retry.push(from);
        else errors.push(`MQTT publish failed: ${err.message}`);
      } else {
        for (let s = from; s < from + batch; s++) acked.add(s);
      }
      wake?.();
    });
  };
  const loop = (async () => {
    while (!quiet) {
      // paceMs: at most one publish per paceMs, for a broker that PUBACKs before anything is stored.
      if (paceMs > 0) {
        if (inFlight < window && client.connected) publishOne();
        await pause(paceMs);
        continue;
      }
      while (inFlight < window && !quiet && client.connected) publishOne();
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 20);
      });
    }
  })();
  return {
    get pending() {
      return inFlight;
    },
    errors,
    quiesce() {
      quiet = true;
    },
    async drained() {
      await loop;
      while (inFlight > 0 || retry.length > 0) {
        while (retry.length > 0 && client.connected) publishOne();
        await pause(20);
      }
    },
    async close() {
      quiet = true;
      await loop;
      await client.endAsync(true);
    },
  };
}

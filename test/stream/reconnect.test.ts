// The dashboard's stream client against a real platform that restarts: it reconnects by itself,
// re-subscribes, asks its followers to refetch, and live points flow again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { StreamServerMessage } from '../../src/contract/stream.ts';
import { LiveStream, type StreamState } from '../../web/src/api/stream.ts';
import { ADMIN, type RunningPlatform, startPlatform } from '../helpers/running-platform.ts';

const T0 = Date.UTC(2026, 0, 10);

function waitFor<T>(register: (resolve: (v: T) => void) => void): Promise<T> {
  return new Promise(register);
}

/**
 * The WebSocket the client is given: a real one that also reports each 'subscribed' answer, the
 * server's word that the subscription is in place (the client keeps it to itself).
 */
function socketReportingSubscriptions(onSubscribed: (deviceIds: string[]) => void): new (url: string) => WebSocket {
  return class extends WebSocket {
    constructor(url: string) {
      super(url);
      this.on('message', (data) => {
        const msg = JSON.parse(data.toString()) as StreamServerMessage;
        if (msg.type === 'subscribed') onSubscribed(msg.device_ids);
      });
    }
  };
}

describe('dashboard stream client', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fluxgate-reconnect-'));
  let p: RunningPlatform | undefined;
  let stream: LiveStream | undefined;
  after(async () => {
    stream?.stop();
    await p?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('reconnects and resumes after the server restarts', async () => {
    p = await startPlatform({ DATA_DIR: dataDir });
    const port = p.port;
    const token = await p.login(ADMIN.username, ADMIN.password);
    const created = await p.api('POST', '/api/v1/devices', { token, body: { id: 'dev-1', name: 'one' } });
    const key = created.body.api_key as string;

    let onSubscribed: ((deviceIds: string[]) => void) | undefined;
    const s = new LiveStream({
      url: `ws://127.0.0.1:${port}/api/v1/stream`,
      token: async () => token,
      WebSocketImpl: socketReportingSubscriptions((ids) => onSubscribed?.(ids)) as unknown as typeof globalThis.WebSocket,
      maxBackoffMs: 200,
    });
    stream = s;
    const states: StreamState[] = [];
    s.onState((state) => states.push(state));
    const received: StreamServerMessage[] = [];
    let onPoint: (() => void) | undefined;
    s.follow('dev-1', (m) => {
      received.push(m);
      onPoint?.();
    });
    let resumed = 0;
    let onResumed: (() => void) | undefined;
    s.onResume(() => {
      resumed += 1;
      onResumed?.();
    });
    const live = () => waitFor<void>((resolve) => (s.status === 'live' ? resolve() : s.onState((state) => state === 'live' && resolve())));
    const nextPoint = () => waitFor<void>((resolve) => (onPoint = resolve));
    const subscribed = () => waitFor<string[]>((resolve) => (onSubscribed = resolve));

    // The subscription travels after 'ready'; the server's 'subscribed' answer says it is in place.
    let inPlace = subscribed();
    s.start();
    await live();
    assert.deepEqual(await inPlace, ['dev-1']);
    let arrived = nextPoint();
    assert.equal((await p.api('POST', '/api/v1/telemetry', { apiKey: key, body: { t: 1, timestamp: T0 } })).status, 201);
    await arrived;
    assert.deepEqual(received, [{ type: 'points', device_id: 'dev-1', points: [{ ts: T0, field: 't', value: 1 }] }]);

    // Restart the platform on the same port and data folder: the client comes back by itself.
    const resumedOnce = waitFor<void>((resolve) => (onResumed = resolve));
    inPlace = subscribed();
    await p.stop();
    p = await startPlatform({ DATA_DIR: dataDir, PORT: String(port) });
    await resumedOnce;
    assert.equal(resumed, 1);
    assert.ok(states.includes('offline'), `states: ${states.join(',')}`);
    assert.deepEqual(await inPlace, ['dev-1']);
    arrived = nextPoint();
    assert.equal((await p.api('POST', '/api/v1/telemetry', { apiKey: key, body: { t: 2, timestamp: T0 + 1000 } })).status, 201);
    await arrived;
    assert.deepEqual(received[1], { type: 'points', device_id: 'dev-1', points: [{ ts: T0 + 1000, field: 't', value: 2 }] });
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Connectivity } from '../../src/services/connectivity.ts';
import { type BusEvents, EventBus } from '../../src/services/event-bus.ts';
import { Presence } from '../../src/services/presence.ts';
import type { Storage } from '../../src/storage/storage.ts';

function setup() {
  // Presence only touches storage on flush, which these tests never reach.
  const presence = new Presence(undefined as unknown as Storage, 60_000);
  const bus = new EventBus();
  const events: Array<BusEvents['device.status']> = [];
  bus.on('device.status', 'test', (e) => events.push(e));
  return { presence, events, connectivity: new Connectivity(presence, bus, 300_000) };
}

test('an HTTP device goes online with traffic and offline after OFFLINE_AFTER without it', () => {
  const { presence, events, connectivity } = setup();
  presence.seen('http-1', 1_000);
  connectivity.sweep(2_000);
  connectivity.sweep(3_000);
  connectivity.sweep(301_000);
  assert.deepEqual(events, [
    { deviceId: 'http-1', online: true, at: 1_000, reason: 'traffic' },
    { deviceId: 'http-1', online: false, at: 301_000, reason: 'timeout' },
  ]);
  presence.seen('http-1', 400_000);
  connectivity.sweep(400_001);
  assert.deepEqual(events.at(-1), { deviceId: 'http-1', online: true, at: 400_000, reason: 'traffic' });
});

test('an MQTT device stays online while connected, whatever OFFLINE_AFTER says, and goes offline on disconnect', () => {
  const { events, connectivity } = setup();
  connectivity.connected('mqtt-1', 1_000);
  connectivity.sweep(10_000_000);
  assert.equal(connectivity.isOnline('mqtt-1'), true);
  connectivity.disconnected('mqtt-1', 10_000_001);
  // The disconnect also stamped last_seen; the sweep must not take that for fresh traffic.
  connectivity.sweep(10_000_002);
  assert.deepEqual(events, [
    { deviceId: 'mqtt-1', online: true, at: 1_000, reason: 'connected' },
    { deviceId: 'mqtt-1', online: false, at: 10_000_001, reason: 'disconnected' },
  ]);
});

test('a device connected twice stays online until its last connection ends', () => {
  const { events, connectivity } = setup();
  connectivity.connected('d', 1);
  connectivity.connected('d', 2);
  connectivity.disconnected('d', 3);
  assert.equal(connectivity.isOnline('d'), true);
  connectivity.disconnected('d', 4);
  assert.deepEqual(events.map((e) => [e.online, e.at]), [[true, 1], [false, 4]]);
});

// Points stored per second over the last minute, node-wide and per device, in one-second slots.
// Per device, each slot holds only the devices that stored points in that second, so memory follows
// the traffic of the last minute (at most one entry per device and second), not the fleet's size.
import type { EventBus } from './event-bus.ts';
import { pointsPerDevice } from './points-by-device.ts';

const WINDOW_SECONDS = 60;

export class IngestRate {
  private readonly slots = new Array<number>(WINDOW_SECONDS).fill(0);
  private readonly deviceSlots = Array.from({ length: WINDOW_SECONDS }, () => new Map<string, number>());
  private slotSecond = Math.floor(Date.now() / 1000);

  constructor(bus: EventBus) {
    bus.on('points.stored', 'ingest-rate', ({ points }) => {
      const second = this.at(Date.now());
      const perDevice = this.deviceSlots[second % WINDOW_SECONDS]!;
      for (const [deviceId, count] of pointsPerDevice(points)) perDevice.set(deviceId, (perDevice.get(deviceId) ?? 0) + count);
      this.slots[second % WINDOW_SECONDS]! += points.length;
    });
  }

  /** Moves the window to `now`, clearing the slots of seconds that passed; returns now's second. */
  private at(now: number): number {
    const nowSecond = Math.floor(now / 1000);
    const steps = Math.min(WINDOW_SECONDS, nowSecond - this.slotSecond);
    for (let i = 1; i <= steps; i++) {
      const slot = (this.slotSecond + i) % WINDOW_SECONDS;
      this.slots[slot] = 0;
      this.deviceSlots[slot]!.clear();
    }
    if (nowSecond > this.slotSecond) this.slotSecond = nowSecond;
    return this.slotSecond;
  }

  add(points: number, now = Date.now()): void {
    this.slots[this.at(now) % WINDOW_SECONDS]! += points;
  }

  /** Node-wide points per second over the last minute. */
  perSecond(now = Date.now()): number {
    this.at(now);
    return this.slots.reduce((a, b) => a + b, 0) / WINDOW_SECONDS;
  }

  /** Points per second over the last minute of the devices in `deviceIds`. */
  perSecondOf(deviceIds: ReadonlySet<string>, now = Date.now()): number {
    this.at(now);
    let sum = 0;
    for (const slot of this.deviceSlots) for (const [id, n] of slot) if (deviceIds.has(id)) sum += n;
    return sum / WINDOW_SECONDS;
  }
}

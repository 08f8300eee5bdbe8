// Live alarm changes for the alarm pages and the nav badge: of the given devices (a device's Alarms
// tab follows its device), or else of every device the user may read (the stream's alarm
// subscription, however many devices that is). The counts are also fetched again on every reconnection.
import { useEffect, useRef, useState } from 'react';
import type { StreamServerMessage } from '../../../src/contract/stream.ts';
import { useApp } from '../session.tsx';

export type AlarmMessage = Extract<StreamServerMessage, { type: 'alarm' }>;

/** What the server has confirmed sending: the alarms of every readable device, or of this many followed devices. */
export type AlarmFeedState = { all: true } | { all: false; devices: number };

/** Calls `onAlarm` for each live alarm change of `deviceIds`, or of every readable device when none are given. */
export function useAlarmFeed(onAlarm: (m: AlarmMessage) => void, deviceIds?: string[]): AlarmFeedState {
  const { stream } = useApp();
  const callback = useRef(onAlarm);
  callback.current = onAlarm;
  const ids = deviceIds?.join(',');
  useEffect(() => {
    if (ids === undefined) {
      const stopFollowing = stream.followAlarms();
      const stopListening = stream.onAlarm((m) => callback.current(m));
      return () => {
        stopListening();
        stopFollowing();
      };
    }
    if (!ids) return;
    const onMessage = (m: StreamServerMessage) => {
      if (m.type === 'alarm') callback.current(m);
    };
    const stops = ids.split(',').map((id) => stream.follow(id, onMessage));
    return () => {
      for (const stop of stops) stop();
    };
  }, [ids, stream]);
  const [state, setState] = useState<AlarmFeedState>({ all: false, devices: 0 });
  useEffect(() => {
    const update = () =>
      setState(ids === undefined ? (stream.isFollowingAlarms() ? { all: true } : { all: false, devices: 0 }) : { all: false, devices: ids ? ids.split(',').filter((id) => stream.isConfirmed(id)).length : 0 });
    update();
    const stops = [stream.onConfirmed(update), stream.onState(update)];
    return () => {
      for (const stop of stops) stop();
    };
  }, [ids, stream]);
  return state;
}

/** Runs `reload` after a stream reconnection (alarm changes may have been missed). */
export function useReloadOnResume(reload: () => void): void {
  const { stream } = useApp();
  useEffect(() => stream.onResume(reload), [stream, reload]);
}

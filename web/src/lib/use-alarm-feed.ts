// Live alarm changes for the alarm pages and the nav badge. The stream sends alarm messages to the
// followers of a device, so this follows the given devices, or else the caller's most recently
// seen devices (up to FEED_DEVICES; the counts are also fetched again on every reconnection).
import { useEffect, useMemo, useRef, useState } from 'react';
import type { StreamServerMessage } from '../../../src/contract/stream.ts';
import type { DeviceList } from '../api/types.ts';
import { useApp } from '../session.tsx';
import { useAsync } from './use-async.ts';

export const FEED_DEVICES = 200;
export type AlarmMessage = Extract<StreamServerMessage, { type: 'alarm' }>;

/** Calls `onAlarm` for each live alarm change; returns how many devices the server confirmed following. */
export function useAlarmFeed(onAlarm: (m: AlarmMessage) => void, deviceIds?: string[]): number {
  const { api, stream } = useApp();
  const callback = useRef(onAlarm);
  callback.current = onAlarm;
  const listed = useAsync(
    () => (deviceIds ? Promise.resolve(undefined) : api.get<DeviceList>(`/api/v1/devices?sort=last_seen&order=desc&limit=${FEED_DEVICES}`)),
    [api, deviceIds === undefined],
  );
  const ids = useMemo(() => (deviceIds ?? listed.data?.devices.map((d) => d.id) ?? []).join(','), [deviceIds, listed.data]);
  useEffect(() => {
    if (!ids) return;
    const onMessage = (m: StreamServerMessage) => {
      if (m.type === 'alarm') callback.current(m);
    };
    const stops = ids.split(',').map((id) => stream.follow(id, onMessage));
    return () => {
      for (const stop of stops) stop();
    };
  }, [ids, stream]);
  const [confirmed, setConfirmed] = useState(0);
  useEffect(() => {
    const count = () => setConfirmed(ids ? ids.split(',').filter((id) => stream.isConfirmed(id)).length : 0);
    count();
    const stops = [stream.onConfirmed(count), stream.onState(count)];
    return () => {
      for (const stop of stops) stop();
    };
  }, [ids, stream]);
  return confirmed;
}

/** Runs `reload` after a stream reconnection (alarm changes may have been missed). */
export function useReloadOnResume(reload: () => void): void {
  const { stream } = useApp();
  useEffect(() => stream.onResume(reload), [stream, reload]);
}

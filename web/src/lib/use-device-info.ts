// Names, profiles and the caller's access for the devices a list mentions, fetched once per device.
import { useEffect, useState } from 'react';
import type { Device, DeviceProfile } from '../api/types.ts';
import { useApp } from '../session.tsx';

export interface DeviceInfo {
  name: string;
  profile: DeviceProfile['profile'];
  access: DeviceProfile['access'];
}

export function useDeviceInfo(ids: readonly string[]): Record<string, DeviceInfo> {
  const { api } = useApp();
  const [info, setInfo] = useState<Record<string, DeviceInfo>>({});
  const key = [...new Set(ids)].sort().join(',');
  useEffect(() => {
    let live = true;
    const missing = key.split(',').filter((id) => id && !info[id]);
    if (missing.length === 0) return;
    void Promise.all(
      missing.map(async (id) => {
        const path = `/api/v1/devices/${encodeURIComponent(id)}`;
        const [device, profile] = await Promise.all([api.get<Device>(path), api.get<DeviceProfile>(`${path}/profile`)]);
        return [id, { name: device.name, profile: profile.profile, access: profile.access }] as const;
      }).map((p) => p.catch(() => undefined)),
    ).then((found) => {
      if (!live) return;
      const entries = found.filter((f) => f !== undefined);
      if (entries.length) setInfo((old) => ({ ...old, ...Object.fromEntries(entries) }));
    });
    return () => {
      live = false;
    };
    // `info` is read only to skip devices already known, so it is not a dependency.
  }, [api, key]);
  return info;
}

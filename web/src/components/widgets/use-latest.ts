// Latest values of a few devices for dashboard widgets: fetched once, then kept live by the stream.
import { useEffect, useState } from 'react';
import type { DeviceProfile } from '../../api/types.ts';
import { useApp } from '../../session.tsx';

export type Latest = Record<string, Record<string, { value: unknown; ts: number }>>;

interface LatestAnswer {
  values: Record<string, number | boolean | string>;
  points: Array<{ field: string; ts: number; value: unknown }>;
}

type FieldValues = Latest[string];

/** Field by field, whichever of the two is newer. */
function newest(a: FieldValues, b: FieldValues): FieldValues {
  const out = { ...a };
  for (const [field, v] of Object.entries(b)) if (!out[field] || out[field].ts <= v.ts) out[field] = v;
  return out;
}

/** device id → field → newest value, live. */
export function useLatest(deviceIds: readonly string[]): Latest {
  const { api, stream } = useApp();
  const key = deviceIds.join(',');
  const [latest, setLatest] = useState<Latest>({});
  useEffect(() => {
    let live = true;
    const ids = key ? key.split(',') : [];
    void Promise.all(
      ids.map(async (id) => {
        const r = await api.get<LatestAnswer>(`/api/v1/telemetry/${encodeURIComponent(id)}/latest`).catch(() => undefined);
        return [id, Object.fromEntries((r?.points ?? []).map((p) => [p.field, { value: p.value, ts: p.ts }]))] as const;
      }),
    ).then((rows) => {
      // Points that arrived on the stream while the fetch was under way are newer: merge, never overwrite.
      if (live) setLatest((old) => Object.fromEntries(rows.map(([id, fetched]) => [id, newest(fetched, old[id] ?? {})])));
    });
    const stops = ids.map((id) =>
      stream.follow(id, (m) => {
        if (m.type !== 'points') return;
        setLatest((old) => ({ ...old, [id]: m.points.reduce((acc, p) => newest(acc, { [p.field]: { value: p.value, ts: p.ts } }), old[id] ?? {}) }));
      }),
    );
    return () => {
      live = false;
      for (const stop of stops) stop();
    };
  }, [api, stream, key]);
  return latest;
}

/** device id → its profile answer (for units, labels and main fields). */
export function useProfiles(deviceIds: readonly string[]): Record<string, DeviceProfile | undefined> {
  const { api } = useApp();
  const key = deviceIds.join(',');
  const [profiles, setProfiles] = useState<Record<string, DeviceProfile | undefined>>({});
  useEffect(() => {
    let live = true;
    const ids = key ? key.split(',') : [];
    void Promise.all(
      ids.map(async (id) => [id, await api.get<DeviceProfile>(`/api/v1/devices/${encodeURIComponent(id)}/profile`).catch(() => undefined)] as const),
    ).then((rows) => live && setProfiles(Object.fromEntries(rows)));
    return () => {
      live = false;
    };
  }, [api, key]);
  return profiles;
}

/** The fields a widget shows for a device: its own list, else the profile's main fields, else what the device sent. */
export function widgetFields(fields: readonly string[], profile: DeviceProfile | undefined, sent: readonly string[]): string[] {
  if (fields.length > 0) return [...fields];
  const main = profile?.profile?.views.main_fields ?? [];
  return main.length > 0 ? [...main] : [...sent].sort().slice(0, 4);
}

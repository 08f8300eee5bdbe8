// Whether Home Assistant discovery announces the device (docs/home-assistant.md); nothing when discovery is off.
import type { HaStatusView } from '../../../src/contract/http/home-assistant.ts';
import { useAsync } from '../lib/use-async.ts';
import { useApp } from '../session.tsx';
import { Badge } from './ui.tsx';

export function HomeAssistantBadge({ deviceId }: { deviceId: string }) {
  const { api } = useApp();
  const status = useAsync(() => api.get<HaStatusView>(`/api/v1/devices/${encodeURIComponent(deviceId)}/home-assistant`), [api, deviceId]);
  const s = status.data;
  if (!s || s.discovery === 'false') return null;
  const how = s.announced
    ? `Announced under ${s.discovery_prefix}/; metadata "${s.metadata_key}": false hides it`
    : `Not announced; metadata "${s.metadata_key}": true announces it`;
  return (
    <span title={how} data-testid="home-assistant">
      <Badge tone={s.announced ? 'ok' : 'muted'}>{s.announced ? 'in Home Assistant' : 'not in Home Assistant'}</Badge>{' '}
    </span>
  );
}

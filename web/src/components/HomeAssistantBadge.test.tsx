// The device page's Home Assistant badge: what it asks the server and what it shows.
import { render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { HaStatusView } from '../../../src/contract/http/home-assistant.ts';
import { ApiClient } from '../api/client.ts';
import type { LiveStream } from '../api/stream.ts';
import { AppProvider } from '../session.tsx';
import { HomeAssistantBadge } from './HomeAssistantBadge.tsx';

const memoryStore = () => {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
};
const stream = { start: () => undefined, stop: () => undefined, status: 'live', follow: () => () => undefined, onResume: () => () => undefined, onState: () => () => undefined } as unknown as LiveStream;

function renderWith(status: HaStatusView) {
  const api = new ApiClient('', memoryStore());
  const get = vi.spyOn(api, 'get').mockResolvedValue(status);
  const view = render(
    <AppProvider api={api} stream={stream}>
      <HomeAssistantBadge deviceId="th.1" />
    </AppProvider>,
  );
  return { get, ...view };
}

describe('HomeAssistantBadge', () => {
  it('says whether the device is announced, and how to change it', async () => {
    const { get } = renderWith({ discovery: 'true', discovery_prefix: 'homeassistant', announced: true, metadata_key: 'home_assistant' });
    expect(await screen.findByText('in Home Assistant')).toBeTruthy();
    expect(get).toHaveBeenCalledWith('/api/v1/devices/th.1/home-assistant');
    expect(screen.getByTestId('home-assistant').getAttribute('title')).toContain('"home_assistant": false hides it');
  });

  it('shows a device that is not announced', async () => {
    renderWith({ discovery: 'opt-in', discovery_prefix: 'homeassistant', announced: false, metadata_key: 'home_assistant' });
    expect(await screen.findByText('not in Home Assistant')).toBeTruthy();
  });

  it('shows nothing when discovery is off', async () => {
    const { get, container } = renderWith({ discovery: 'false', discovery_prefix: 'homeassistant', announced: false, metadata_key: 'home_assistant' });
    await waitFor(() => expect(get).toHaveBeenCalled());
    expect(container.textContent).toBe('');
  });
});

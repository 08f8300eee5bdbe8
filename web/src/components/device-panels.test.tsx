// The device page's logs and control panels: what they ask the server and what they show.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../api/client.ts';
import type { LiveStream } from '../api/stream.ts';
import { builtinProfileFor } from '../../../src/contract/profiles/builtin-profiles.ts';
import type { Command, DeviceProfile, LogPage } from '../api/types.ts';
import { AppProvider } from '../session.tsx';
import { ControlPanel, applyCommandUpdate } from './ControlPanel.tsx';
import { LogsPanel, logQuery } from './LogsPanel.tsx';

const memoryStore = () => {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
};

/** A stream the test drives: it hands messages to the followers of a device. */
function fakeStream() {
  const followers = new Map<string, Set<(m: unknown) => void>>();
  const stream = {
    start: () => undefined,
    stop: () => undefined,
    status: 'live',
    onState: () => () => undefined,
    onResume: () => () => undefined,
    follow(id: string, fn: (m: unknown) => void) {
      if (!followers.has(id)) followers.set(id, new Set());
      followers.get(id)!.add(fn);
      return () => followers.get(id)!.delete(fn);
    },
  };
  return { stream: stream as unknown as LiveStream, emit: (id: string, m: unknown) => followers.get(id)?.forEach((fn) => fn(m)) };
}

const line = (id: number, level: LogPage['logs'][number]['level'], message: string, ts = Date.UTC(2026, 0, 2, 3, 4, 5)) => ({
  id,
  timestamp: new Date(ts).toISOString(),
  ts,
  level,
  message,
  source: id === 1 ? 'wifi' : null,
});

describe('LogsPanel', () => {
  it('asks for the chosen range and levels, shows lines escaped, pages to older lines', async () => {
    const api = new ApiClient('', memoryStore());
    const urls: string[] = [];
    vi.spyOn(api, 'get').mockImplementation(async (path: string) => {
      urls.push(path);
      const q = new URL(path, 'http://x').searchParams;
      if (q.get('cursor') === 'c1') return { device_id: 'd<1>', count: 1, logs: [line(3, 'debug', 'older line')], next_cursor: null } satisfies LogPage;
      if (q.get('level') === 'error') return { device_id: 'd<1>', count: 1, logs: [line(2, 'error', 'disk full')], next_cursor: null } satisfies LogPage;
      return {
        device_id: 'd<1>',
        count: 2,
        logs: [line(1, 'warning', '<img src=x onerror=alert(1)> weak signal'), line(2, 'error', 'disk full')],
        next_cursor: 'c1',
      } satisfies LogPage;
    });
    const { container } = render(
      <AppProvider api={api} stream={fakeStream().stream}>
        <LogsPanel deviceId="d<1>" />
      </AppProvider>,
    );
    await screen.findByText('<img src=x onerror=alert(1)> weak signal');
    expect(container.querySelector('img')).toBeNull();
    const first = new URL(urls[0]!, 'http://x');
    expect(first.pathname).toBe('/api/v1/devices/d%3C1%3E/logs');
    const start = Number(first.searchParams.get('start_time'));
    const end = Number(first.searchParams.get('end_time'));
    expect(end - start).toBe(86_400_000);
    expect(first.searchParams.has('level')).toBe(false);
    expect([...container.querySelectorAll('tbody tr')].map((r) => r.getAttribute('data-level'))).toEqual(['warning', 'error']);

    fireEvent.click(screen.getByRole('button', { name: 'Older lines' }));
    await screen.findByText('older line');
    expect(new URL(urls.at(-1)!, 'http://x').searchParams.get('start_time')).toBe(String(start));
    expect(screen.queryByRole('button', { name: 'Older lines' })).toBeNull();

    // Only errors: untick the other four levels.
    for (const l of ['debug', 'info', 'warning', 'critical']) fireEvent.click(screen.getByRole('checkbox', { name: l }));
    await waitFor(() => expect(container.querySelectorAll('tbody tr').length).toBe(1));
    expect(new URL(urls.at(-1)!, 'http://x').searchParams.get('level')).toBe('error');
    expect(screen.getByText('disk full')).toBeTruthy();

    // A 15-minute window.
    fireEvent.change(screen.getByLabelText('Time range'), { target: { value: '15m' } });
    await waitFor(() => {
      const q = new URL(urls.at(-1)!, 'http://x').searchParams;
      expect(Number(q.get('end_time')) - Number(q.get('start_time'))).toBe(900_000);
    });
  }, 30_000);

  it('builds the query: no level filter when all are ticked, a cursor when paging', () => {
    expect(logQuery({ start: 1, end: 2, levels: ['debug', 'info', 'warning', 'error', 'critical'] })).toBe('start_time=1&end_time=2&limit=100');
    expect(logQuery({ start: 1, end: 2, levels: ['warning', 'critical'], cursor: 'abc' })).toBe('start_time=1&end_time=2&limit=100&level=warning%2Ccritical&cursor=abc');
  });
});

const command = (over: Partial<Command>): Command => ({
  id: 'c1',
  device_id: 'thermo',
  command: 'set_target_temperature',
  parameters: { temperature: 22.5 },
  status: 'pending',
  created_by: 'u1',
  created_at: new Date(0).toISOString(),
  expires_at: new Date(60_000).toISOString(),
  delivered_at: null,
  completed_at: null,
  result: null,
  error: null,
  ...over,
});

/** What GET /devices/{id}/profile answers: the built-in profile of `type` (or none), with the caller's access. */
function deviceProfile(type: string, access: DeviceProfile['access'] = 'owner'): DeviceProfile {
  const builtin = builtinProfileFor(type);
  const profile = builtin ? { ...builtin, id: builtin.device_type, builtin: true, owner_id: null, created_at: null, updated_at: null } : null;
  return { device_id: 'd', device_type: type, profile, unprofiled_fields: [], access };
}

describe('ControlPanel', () => {
  it('sets a target as a command plus desired state; the status follows the stream to acked', async () => {
    const api = new ApiClient('', memoryStore());
    const calls: Array<[string, string, unknown]> = [];
    vi.spyOn(api, 'get').mockImplementation(async (path: string) => {
      calls.push(['GET', path, undefined]);
      if (path.endsWith('/state')) return { device_id: 'thermo', desired: {}, reported: { target_temperature: 21 }, delta: {}, version: 0, updated_at: null };
      return [];
    });
    vi.spyOn(api, 'post').mockImplementation(async (path: string, body?: unknown) => {
      calls.push(['POST', path, body]);
      return command({});
    });
    vi.spyOn(api, 'put').mockImplementation(async (path: string, body?: unknown) => {
      calls.push(['PUT', path, body]);
      return undefined;
    });
    const { stream, emit } = fakeStream();
    render(
      <AppProvider api={api} stream={stream}>
        <ControlPanel deviceId="thermo" profile={deviceProfile('thermostat')} />
      </AppProvider>,
    );
    await screen.findByText('No commands sent yet.');
    fireEvent.change(screen.getByLabelText('Target temperature (°C)'), { target: { value: '22.5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Set target' }));
    const list = await screen.findByTestId('commands');
    expect(within(list).getByText('pending')).toBeTruthy();
    await waitFor(() => expect(calls.filter(([m]) => m !== 'GET')).toEqual([
      ['POST', '/api/v1/devices/thermo/commands', { command: 'set_target_temperature', parameters: { temperature: 22.5 } }],
      ['PUT', '/api/v1/devices/thermo/state', { desired: { target_temperature: 22.5 } }],
    ]));
    emit('thermo', { type: 'command', device_id: 'thermo', command_id: 'c1', command: 'set_target_temperature', status: 'acked', result: { target_temperature: 22.5 } });
    await within(list).findByText('acked');

    fireEvent.click(screen.getByRole('button', { name: 'On' }));
    await waitFor(() => expect(calls.at(-1)).toEqual(['POST', '/api/v1/devices/thermo/commands', { command: 'turn_on', parameters: {} }]));
    // A thermostat offers what its profile says: no free command form, no power level.
    expect(screen.queryByLabelText('Command')).toBeNull();
    expect(screen.queryByLabelText(/Power level/)).toBeNull();
    expect(screen.getByText('between 5 and 35 °C')).toBeTruthy();
  }, 30_000);

  it('a profile\'s commands get inputs with range and unit, checked before sending; unprofiled devices get a free form', async () => {
    const api = new ApiClient('', memoryStore());
    const posts: unknown[] = [];
    vi.spyOn(api, 'get').mockImplementation(async (path: string) =>
      path.endsWith('/state') ? { device_id: 'x', desired: {}, reported: {}, delta: {}, version: 0, updated_at: null } : [],
    );
    vi.spyOn(api, 'post').mockImplementation(async (_path: string, body?: unknown) => {
      posts.push(body);
      return command({});
    });
    const { stream } = fakeStream();
    const { unmount } = render(
      <AppProvider api={api} stream={stream}>
        <ControlPanel deviceId="plug" profile={deviceProfile('smart_plug')} />
      </AppProvider>,
    );
    await screen.findByText('No commands sent yet.');
    fireEvent.change(screen.getByLabelText('Load (W)'), { target: { value: '5000' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Set load' }));
    expect((await screen.findByRole('alert')).textContent).toBe('power must be between 0 and 3680 W');
    expect(posts).toEqual([]);
    fireEvent.change(screen.getByLabelText('Load (W)'), { target: { value: '60' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Set load' }));
    await waitFor(() => expect(posts).toEqual([{ command: 'set_power', parameters: { power: 60 } }]));
    unmount();

    render(
      <AppProvider api={api} stream={stream}>
        <ControlPanel deviceId="odd" profile={deviceProfile('weather_balloon')} />
      </AppProvider>,
    );
    await screen.findByText('No commands sent yet.');
    fireEvent.change(screen.getByLabelText('Parameters (JSON)'), { target: { value: '[1]' } });
    fireEvent.change(screen.getByLabelText('Command'), { target: { value: 'reboot' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Parameters must be a JSON object');
  }, 30_000);

  it('a user with read access sees the controls disabled, and why', async () => {
    const api = new ApiClient('', memoryStore());
    vi.spyOn(api, 'get').mockImplementation(async (path: string) =>
      path.endsWith('/state') ? { device_id: 'x', desired: {}, reported: {}, delta: {}, version: 0, updated_at: null } : [],
    );
    const { stream } = fakeStream();
    render(
      <AppProvider api={api} stream={stream}>
        <ControlPanel deviceId="lock" profile={deviceProfile('door_lock', 'read')} />
      </AppProvider>,
    );
    await screen.findByText(/You have read access to this device/);
    const lock = screen.getByRole('button', { name: 'Lock' }) as HTMLButtonElement;
    expect(lock.closest('fieldset')?.disabled).toBe(true);
  });

  it('applies stream updates to known commands only, never backwards', () => {
    const list = [command({ id: 'a' }), command({ id: 'b' })];
    expect(applyCommandUpdate(list, { command_id: 'x', status: 'acked' })).toBe(false);
    const failed = applyCommandUpdate(list, { command_id: 'b', status: 'failed' }) as Command[];
    expect(failed.map((c) => c.status)).toEqual(['pending', 'failed']);
    // A late 'delivered' (or a stale fetch) does not undo the outcome.
    expect((applyCommandUpdate(failed, { command_id: 'b', status: 'delivered' }) as Command[]).map((c) => c.status)).toEqual(['pending', 'failed']);
  });
});

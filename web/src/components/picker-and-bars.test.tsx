// The device picker (server search, keyboard) and the energy bar chart (axis ticks, tooltip).
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../api/client.ts';
import type { LiveStream } from '../api/stream.ts';
import type { DeviceList, DeviceListItem } from '../api/types.ts';
import { AppProvider } from '../session.tsx';
import { BarChart, niceTicks, tickLabels } from './BarChart.tsx';
import { DevicePicker } from './DevicePicker.tsx';

const memoryStore = () => {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
};
const idleStream = { start: () => undefined, stop: () => undefined, status: 'offline', onState: () => () => undefined } as unknown as LiveStream;

const device = (id: string, name: string) => ({ id, name, latest: {} }) as DeviceListItem;
const FLEET = [device('meter-0001', 'Alpha meter'), device('meter-0002', 'Beta meter'), device('plug-7', 'Garage plug'), device('old-1', 'Oldest device')];

/** An ApiClient whose GETs answer from FLEET as the server would (q, sort=name, limit), logging each path. */
function fleetApi() {
  const api = new ApiClient('', memoryStore());
  const paths: string[] = [];
  vi.spyOn(api, 'get').mockImplementation(async (path: string) => {
    paths.push(path);
    const url = new URL(path, 'http://x');
    const one = /^\/api\/v1\/devices\/([^/?]+)$/.exec(url.pathname);
    if (one) return FLEET.find((d) => d.id === decodeURIComponent(one[1]!));
    const q = (url.searchParams.get('q') ?? '').toLowerCase();
    const limit = Number(url.searchParams.get('limit'));
    const found = FLEET.filter((d) => d.id.toLowerCase().includes(q) || d.name.toLowerCase().includes(q)).sort((a, b) => a.name.localeCompare(b.name));
    return { devices: found.slice(0, limit), total: found.length, limit, offset: 0 } satisfies DeviceList;
  });
  return { api, paths };
}

function Harness({ initial = '', allLabel, onPick }: { initial?: string; allLabel?: string; onPick?: (id: string) => void }) {
  const [value, setValue] = useState(initial);
  return (
    <form onSubmit={(e) => (e.preventDefault(), onPick?.('submitted'))}>
      <DevicePicker
        label="Device"
        value={value}
        allLabel={allLabel}
        onChange={(id) => {
          setValue(id);
          onPick?.(id);
        }}
      />
      <output data-testid="value">{value}</output>
    </form>
  );
}

describe('DevicePicker', () => {
  it('searches the server as the user types and picks with the arrow keys and Enter', async () => {
    const { api, paths } = fleetApi();
    const picked = vi.fn();
    render(
      <AppProvider api={api} stream={idleStream}>
        <Harness onPick={picked} />
      </AppProvider>,
    );
    const box = screen.getByRole('combobox', { name: 'Device' });
    expect(box.getAttribute('aria-expanded')).toBe('false');
    fireEvent.change(box, { target: { value: 'old' } });
    expect(box.getAttribute('aria-expanded')).toBe('true');
    const list = screen.getByRole('listbox');
    await within(list).findByText('Oldest device');
    // Debounced: typing "old" at once makes one search, by name, twenty at most.
    expect(paths).toEqual(['/api/v1/devices?q=old&sort=name&order=asc&limit=20']);
    expect(within(list).getByText('old-1')).toBeTruthy();

    fireEvent.change(box, { target: { value: 'meter' } });
    // Until the new search answers, the old matches are not offered (Enter must not pick them).
    expect(within(list).queryAllByRole('option')).toEqual([]);
    expect(screen.getByText('Searching…')).toBeTruthy();
    await within(list).findByText('Beta meter');
    expect(paths.at(-1)).toBe('/api/v1/devices?q=meter&sort=name&order=asc&limit=20');
    expect(within(list).getAllByRole('option').map((o) => o.textContent)).toEqual(['Alpha metermeter-0001', 'Beta metermeter-0002']);

    fireEvent.keyDown(box, { key: 'ArrowDown' });
    fireEvent.keyDown(box, { key: 'ArrowDown' });
    const options = within(list).getAllByRole('option');
    expect(options.map((o) => o.getAttribute('aria-selected'))).toEqual(['false', 'true']);
    expect(box.getAttribute('aria-activedescendant')).toBe(options[1]!.id);
    fireEvent.keyDown(box, { key: 'ArrowUp' });
    fireEvent.keyDown(box, { key: 'ArrowUp' });
    expect(box.getAttribute('aria-activedescendant')).toBe(options[1]!.id);
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(picked.mock.calls).toEqual([['meter-0002']]);
    expect(screen.getByTestId('value').textContent).toBe('meter-0002');
    expect(box.getAttribute('aria-expanded')).toBe('false');
    expect((box as HTMLInputElement).value).toBe('Beta meter');
  });

  it('Escape closes the list and keeps the chosen device; "all" is offered where asked', async () => {
    const { api, paths } = fleetApi();
    render(
      <AppProvider api={api} stream={idleStream}>
        <Harness initial="plug-7" allLabel="all my devices" />
      </AppProvider>,
    );
    const box = screen.getByRole<HTMLInputElement>('combobox', { name: 'Device' });
    // A value set from outside shows by name, looked up by id.
    await waitFor(() => expect(box.value).toBe('Garage plug'));
    expect(paths).toEqual(['/api/v1/devices/plug-7']);

    fireEvent.keyDown(box, { key: 'ArrowDown' });
    const list = screen.getByRole('listbox');
    await within(list).findByText('Alpha meter');
    expect(paths.at(-1)).toBe('/api/v1/devices?sort=name&order=asc&limit=20');
    expect(within(list).getAllByRole('option')[0]!.textContent).toBe('all my devices');
    fireEvent.change(box, { target: { value: 'zzz' } });
    await within(list.parentElement!).findByText('No device matches.');
    fireEvent.keyDown(box, { key: 'Escape' });
    expect(box.getAttribute('aria-expanded')).toBe('false');
    expect(box.value).toBe('Garage plug');
    expect(screen.getByTestId('value').textContent).toBe('plug-7');

    fireEvent.keyDown(box, { key: 'ArrowDown' });
    await within(list).findByText('Alpha meter');
    fireEvent.keyDown(box, { key: 'ArrowDown' });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(screen.getByTestId('value').textContent).toBe('');
    expect(box.value).toBe('all my devices');
  });
});

describe('BarChart', () => {
  it('chooses round ticks that cover the largest bar', () => {
    expect(niceTicks(1.5)).toEqual([0, 0.5, 1, 1.5]);
    expect(niceTicks(0.5)).toEqual([0, 0.2, 0.4, 0.6]);
    expect(niceTicks(37)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(0)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(tickLabels([0, 0.25, 0.5, 0.75, 1])).toEqual(['0.00', '0.25', '0.50', '0.75', '1.00']);
    expect(tickLabels([0, 10, 20])).toEqual(['0', '10', '20']);
  });

  it('draws a y-axis in the unit with gridlines and shows a bar exactly on hover and on focus', () => {
    const bars = [
      { label: '2026-03-01', short: '03-01', value: 0.4 },
      { label: '2026-03-02', short: '03-02', value: 1.234 },
      { label: '2026-03-03', short: '03-03', value: 0 },
    ];
    const { container } = render(<BarChart title="Energy per day" unit="kWh" bars={bars} />);
    expect(container.querySelector('.y-unit')?.textContent).toBe('kWh');
    expect([...container.querySelectorAll('.y-tick')].map((t) => t.textContent)).toEqual(['0.0', '0.5', '1.0', '1.5']);
    expect(container.querySelectorAll('line.grid')).toHaveLength(3);
    expect(screen.queryByRole('status')).toBeNull();

    const plot = screen.getByRole('group', { name: 'Energy per day, in kWh: use the arrow keys to read each bar' });
    plot.getBoundingClientRect = () => ({ left: 0, width: 300, top: 0, height: 180, right: 300, bottom: 180, x: 0, y: 0, toJSON: () => ({}) });
    fireEvent.mouseMove(plot, { clientX: 150 });
    expect(screen.getByRole('status').textContent).toBe('2026-03-02 1.234 kWh');
    fireEvent.mouseLeave(plot);
    expect(screen.queryByRole('status')).toBeNull();

    // Keyboard: focus shows the latest bar with a value; the arrow keys move.
    fireEvent.focus(plot);
    expect(screen.getByRole('status').textContent).toBe('2026-03-02 1.234 kWh');
    fireEvent.keyDown(plot, { key: 'ArrowLeft' });
    expect(screen.getByRole('status').textContent).toBe('2026-03-01 0.4 kWh');
    fireEvent.keyDown(plot, { key: 'End' });
    expect(screen.getByRole('status').textContent).toBe('2026-03-03 0 kWh');
  });
});

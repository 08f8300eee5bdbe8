import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError } from '../api/client.ts';
import type { LiveStream } from '../api/stream.ts';
import { LoginPage } from '../pages/LoginPage.tsx';
import { align } from '../lib/align.ts';
import { AppProvider } from '../session.tsx';
import { builtinProfileFor } from '../../../src/contract/profiles/builtin-profiles.ts';
import { appendPoints, chartGroups, dropEmpty, needsDownsampling } from './LiveCharts.tsx';
import { StateTimeline } from './StateTimeline.tsx';
import { ApiKeyOnce } from './DeviceForm.tsx';

const memoryStore = () => {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
};
const idleStream = { start: () => undefined, stop: () => undefined, status: 'offline', onState: () => () => undefined } as unknown as LiveStream;

describe('LoginPage', () => {
  it('logs in with what was typed and shows the server error code on failure', async () => {
    const api = new ApiClient('', memoryStore());
    const login = vi.spyOn(api, 'login').mockRejectedValueOnce(new ApiError(401, 'INVALID_CREDENTIALS', 'Username or password is wrong'));
    render(
      <AppProvider api={api} stream={idleStream}>
        <LoginPage />
      </AppProvider>,
    );
    fireEvent.change(screen.getByLabelText('Username or email'), { target: { value: 'alice' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'secret-1' } });
    fireEvent.click(screen.getAllByRole('button', { name: 'Log in' }).at(-1)!);
    expect((await screen.findByRole('alert')).textContent).toBe('Username or password is wrong (INVALID_CREDENTIALS)');
    expect(login).toHaveBeenCalledWith('alice', 'secret-1');
  });

  it('switches to registration with an email field', () => {
    render(
      <AppProvider api={new ApiClient('', memoryStore())} stream={idleStream}>
        <LoginPage />
      </AppProvider>,
    );
    fireEvent.click(screen.getByRole('tab', { name: 'Create account' }));
    expect(screen.getByLabelText('Email (optional)')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Create account and log in' })).toBeTruthy();
  });
});

describe('ApiKeyOnce', () => {
  it('shows the key as text (escaped) with a copy button', () => {
    render(<ApiKeyOnce deviceId="<img src=x>" apiKey="abc123" onClose={() => undefined} />);
    expect(screen.getByTestId('api-key').textContent).toBe('abc123');
    expect(screen.getByText('<img src=x>').tagName).toBe('STRONG');
    expect(document.querySelector('img')).toBeNull();
    expect(screen.getByRole('button', { name: 'Copy key' })).toBeTruthy();
  });
});

describe('StateTimeline', () => {
  it('draws one band per run of equal values, sized by time', () => {
    const { container } = render(<StateTimeline title="heating" ts={[0, 250, 500, 600]} values={[true, false, false, true]} start={0} end={1000} />);
    const runs = [...container.querySelectorAll<HTMLElement>('.timeline-run')];
    expect(runs.map((r) => [r.className, r.style.left, r.style.width])).toEqual([
      ['timeline-run on', '0%', '25%'],
      ['timeline-run off', '25%', '35%'],
      ['timeline-run on', '60%', '40%'],
    ]);
  });
});

describe('chart data helpers', () => {
  it('appends live points in time order, skips what is already shown, trims the range', () => {
    const fields = [{ field: 't', kind: 'number' as const, ts: [10, 20], values: [1, 2] }];
    const out = appendPoints(fields, [
      { ts: 40, field: 't', value: 4 },
      { ts: 30, field: 't', value: 3 },
      { ts: 20, field: 't', value: 99 },
      { ts: 35, field: 'on', value: true },
    ], 15);
    expect(out).toEqual([
      { field: 'on', kind: 'boolean', ts: [35], values: [true], min: undefined, max: undefined },
      { field: 't', kind: 'number', ts: [20, 30, 40], values: [2, 3, 4], min: undefined, max: undefined },
    ]);
    expect(fields[0]!.ts).toEqual([10, 20]);
  });

  it('asks the server again once live points outgrow the chart width', () => {
    const field = (n: number) => ({ field: 'p', kind: 'number' as const, ts: Array.from({ length: n }, (_, i) => i), values: Array.from({ length: n }, () => 1) });
    expect(needsDownsampling([field(400)], 200)).toBe(false);
    expect(needsDownsampling([field(10), field(401)], 200)).toBe(true);
  });

  it('drops empty buckets and aligns series on one time axis', () => {
    expect(dropEmpty({ field: 'x', kind: 'number', ts: [1, 2, 3], values: [null, 5, null], min: [null, 4, null], max: [null, 6, null] })).toEqual({
      field: 'x',
      kind: 'number',
      ts: [2],
      values: [5],
      min: [4],
      max: [6],
    });
    expect(align([{ ts: [1, 3], values: [10, 30] }, { ts: [2, 3], values: [20, 31] }])).toEqual([
      [1, 2, 3],
      [10, null, 30],
      [null, 20, 31],
    ]);
  });
});

describe('chart groups from the profile', () => {
  const col = (field: string, kind: 'number' | 'boolean' = 'number') => ({ field, kind, ts: [1], values: [kind === 'number' ? 1 : true], min: undefined, max: undefined });
  const thermostat = { ...builtinProfileFor('thermostat')!, id: 'thermostat', builtin: true, owner_id: null, created_at: null, updated_at: null };

  it('puts a thermostat\'s temperature and target on one chart, every other field alone', () => {
    const groups = chartGroups([col('heating', 'boolean'), col('humidity'), col('target_temperature'), col('temperature')], thermostat);
    expect(groups.map((g) => [g.title, g.fields.map((f) => f.field)])).toEqual([
      ['Temperature and target', ['temperature', 'target_temperature']],
      [undefined, ['heating']],
      [undefined, ['humidity']],
    ]);
  });

  it('keeps one chart per field without a profile, or when a chart has one field with data', () => {
    expect(chartGroups([col('a'), col('b')], undefined).map((g) => g.fields.map((f) => f.field))).toEqual([['a'], ['b']]);
    expect(chartGroups([col('temperature')], thermostat).map((g) => [g.title, g.fields.map((f) => f.field)])).toEqual([[undefined, ['temperature']]]);
  });
});

describe('ApiClient session', () => {
  it('refreshes before expiry with the refresh token and keeps the new pair', async () => {
    const store = memoryStore();
    const user = { id: 'u', username: 'a' };
    store.setItem('fluxgate.session', JSON.stringify({ accessToken: 'old', refreshToken: 'r1', expiresAt: Date.now() + 1000, user }));
    const calls: Array<[string, string | undefined]> = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      calls.push([url, (init.headers as Record<string, string>)?.authorization]);
      if (url === '/api/v1/auth/refresh') return new Response(JSON.stringify({ access_token: 'new', refresh_token: 'r2', expires_in: 900, user }), { status: 200 });
      return new Response(JSON.stringify({ ok: true }), { status: 200 });
    });
    const api = new ApiClient('', store);
    expect(await api.get('/api/v1/auth/me')).toEqual({ ok: true });
    expect(calls).toEqual([
      ['/api/v1/auth/refresh', undefined],
      ['/api/v1/auth/me', 'Bearer new'],
    ]);
    expect(api.current?.refreshToken).toBe('r2');
    vi.unstubAllGlobals();
  });

  it('logs out when the token is refused and cannot be refreshed', async () => {
    const store = memoryStore();
    store.setItem('fluxgate.session', JSON.stringify({ accessToken: 't', expiresAt: Date.now() + 600_000, user: { id: 'u' } }));
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ error: { code: 'INVALID_TOKEN', message: 'expired' } }), { status: 401 }));
    const api = new ApiClient('', store);
    await expect(api.get('/api/v1/devices')).rejects.toMatchObject({ code: 'INVALID_TOKEN', status: 401 });
    await waitFor(() => expect(api.current).toBeUndefined());
    expect(store.getItem('fluxgate.session')).toBeNull();
    vi.unstubAllGlobals();
  });
});

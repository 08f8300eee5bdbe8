// The admin page's node card: what it shows of a scheduler leader with cluster events, of a follower,
// and of a single node; an unhealthy (503) node is still described.
import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NodeCard } from './NodeCard.tsx';

function answer(status: number, body: unknown): void {
  vi.stubGlobal('fetch', async (url: string) => {
    expect(url).toBe('/health?detailed=true');
    return new Response(JSON.stringify(body), { status });
  });
}

describe('NodeCard', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows a leader on PostgreSQL with its cluster event counts', async () => {
    answer(200, {
      status: 'healthy',
      uptime_seconds: 42,
      checks: {
        scheduler: { ok: true, leader: true, lock: 'postgres-advisory-lock', job_runs: { 'rule-timers': 3 } },
        mqtt: { ok: true, mode: 'external', cluster_events: { connected: true, published: 5, received: 7, dropped: 0 } },
      },
    });
    render(<NodeCard />);
    const card = await screen.findByTestId('node-health');
    expect(card.textContent).toContain('leader · PostgreSQL advisory lock');
    expect(card.textContent).toContain('connected · 5 messages sent · 7 received · 0 dropped');
    expect(card.textContent).toContain('42 s');
  });

  it('shows a follower that answers 503, and a single node without an external broker', async () => {
    answer(503, { status: 'unhealthy', uptime_seconds: 1, checks: { scheduler: { ok: true, leader: false, lock: 'postgres-advisory-lock', job_runs: {} } } });
    const { unmount } = render(<NodeCard />);
    const card = await screen.findByTestId('node-health');
    expect(card.textContent).toContain('unhealthy');
    expect(card.textContent).toContain('follower · PostgreSQL advisory lock');
    expect(card.textContent).toContain('single node (no external broker)');
    unmount();

    answer(200, { status: 'healthy', uptime_seconds: 1, checks: { scheduler: { ok: true, leader: true, lock: 'single-node', job_runs: {} } } });
    render(<NodeCard />);
    expect((await screen.findByTestId('node-health')).textContent).toContain('leader · single node (SQLite)');
  });
});

// The raw history of a device, newest first, page by page; CSV export of the last 24 hours or more.
import { useEffect, useState } from 'react';
import type { PointView } from '../api/types.ts';
import type { DeviceProfile } from '../api/types.ts';
import { formatTime } from '../lib/format.ts';
import { fieldSpec, fieldTitle, formatReading } from '../lib/profile.ts';
import { useApp } from '../session.tsx';
import { useAsync } from '../lib/use-async.ts';
import { ErrorText } from './ui.tsx';

interface HistoryPage {
  points: PointView[];
  next_cursor: string | null;
}

export function HistoryTable({ deviceId, profile }: { deviceId: string; profile?: DeviceProfile['profile'] | undefined }) {
  const { api, stream } = useApp();
  const [pages, setPages] = useState<PointView[][]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [exportRange, setExportRange] = useState('-24h');
  const [error, setError] = useState<unknown>();
  const base = `/api/v1/telemetry/${encodeURIComponent(deviceId)}`;
  const first = useAsync(async () => {
    const page = await api.get<HistoryPage>(`${base}?limit=50&start_time=-30d`);
    setPages([page.points]);
    setCursor(page.next_cursor);
    return page;
  }, [api, base]);

  // New points go on top as they arrive.
  useEffect(
    () =>
      stream.follow(deviceId, (m) => {
        if (m.type !== 'points') return;
        const fresh = m.points
          .map((p) => ({ ts: p.ts, field: p.field, value: p.value, timestamp: new Date(p.ts).toISOString() }))
          .sort((a, b) => b.ts - a.ts || a.field.localeCompare(b.field));
        setPages((old) => [fresh, ...old]);
      }),
    [stream, deviceId],
  );

  async function more() {
    if (!cursor) return;
    try {
      const page = await api.get<HistoryPage>(`${base}?limit=50&start_time=-30d&cursor=${encodeURIComponent(cursor)}`);
      setPages((p) => [...p, page.points]);
      setCursor(page.next_cursor);
    } catch (err) {
      setError(err);
    }
  }

  async function exportCsv() {
    try {
      const blob = await api.blob(`${base}/export?format=csv&start_time=${encodeURIComponent(exportRange)}`);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `${deviceId}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (err) {
      setError(err);
    }
  }

  const rows = pages.flat();
  return (
    <div className="card">
      <div className="page-head">
        <h2>History</h2>
        <div className="inline">
          <label className="inline">
            <span className="sr-only">Export range</span>
            <select value={exportRange} onChange={(e) => setExportRange(e.target.value)} aria-label="Export range">
              <option value="-24h">last 24 hours</option>
              <option value="-7d">last 7 days</option>
              <option value="-30d">last 30 days</option>
              <option value="0">everything</option>
            </select>
          </label>
          <button type="button" onClick={() => void exportCsv()}>
            Export CSV
          </button>
        </div>
      </div>
      <ErrorText error={first.error ?? error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Time</th>
              <th>Field</th>
              <th>Value</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr key={`${p.ts}:${p.field}`}>
                <td>{formatTime(p.ts)}</td>
                <td>{fieldTitle(fieldSpec(profile, p.field), p.field)}</td>
                <td>{formatReading(p.value, fieldSpec(profile, p.field))}</td>
              </tr>
            ))}
            {rows.length === 0 && !first.loading && (
              <tr>
                <td colSpan={3} className="muted">
                  No points in the last 30 days.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {cursor && (
        <button type="button" onClick={() => void more()}>
          Load older
        </button>
      )}
    </div>
  );
}

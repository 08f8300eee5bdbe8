// Build a saved chart from several devices and fields: the Charts page and a dashboard's "Saved
// chart" widget both create charts with it.
import { type FormEvent, useState } from 'react';
import type { SavedChart } from '../api/types.ts';
import { useAsync } from '../lib/use-async.ts';
import { useApp } from '../session.tsx';
import { DevicePicker } from './DevicePicker.tsx';
import { ErrorText, Modal, RangeOptions } from './ui.tsx';

type SeriesDraft = { device_id: string; field: string; label: string | null };

export function ChartBuilder({ onSaved, onCancel }: { onSaved: (c: SavedChart) => void; onCancel: () => void }) {
  const { api } = useApp();
  const [name, setName] = useState('');
  const [range, setRange] = useState('24h');
  const [series, setSeries] = useState<SeriesDraft[]>([]);
  const [device, setDevice] = useState('');
  const fields = useAsync(
    async () => (device ? Object.keys((await api.get<{ values: Record<string, unknown> }>(`/api/v1/telemetry/${encodeURIComponent(device)}/latest`)).values) : []),
    [api, device],
  );
  const [field, setField] = useState('');
  const [error, setError] = useState<unknown>();

  async function save(e: FormEvent) {
    e.preventDefault();
    try {
      onSaved(await api.post<SavedChart>('/api/v1/charts', { name, time_range: range, series }));
    } catch (err) {
      setError(err);
    }
  }

  return (
    <Modal title="New chart" onClose={onCancel}>
      <form className="form" onSubmit={(e) => void save(e)}>
        <label>
          Name
          <input required value={name} onChange={(e) => setName(e.target.value)} name="chart_name" />
        </label>
        <label>
          Time range
          <select value={range} onChange={(e) => setRange(e.target.value)}>
            <RangeOptions />
          </select>
        </label>
        <fieldset>
          <legend>Series</legend>
          <ul className="events">
            {series.map((s, i) => (
              <li key={`${s.device_id}:${s.field}`}>
                {s.device_id} · {s.field}{' '}
                <button type="button" onClick={() => setSeries(series.filter((_, j) => j !== i))} aria-label={`Remove ${s.device_id} ${s.field}`}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <div className="inline wrap">
            <DevicePicker
              label="Device"
              hideLabel
              value={device}
              onChange={(id) => {
                setDevice(id);
                setField('');
              }}
            />
            <select value={field} onChange={(e) => setField(e.target.value)} aria-label="Field" disabled={!device}>
              <option value="">field…</option>
              {fields.data?.map((f) => (
                <option key={f}>{f}</option>
              ))}
            </select>
            <button
              type="button"
              disabled={!device || !field || series.some((s) => s.device_id === device && s.field === field)}
              onClick={() => setSeries([...series, { device_id: device, field, label: null }])}
            >
              Add series
            </button>
          </div>
        </fieldset>
        <ErrorText error={error} />
        <div className="actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={series.length === 0}>
            Save chart
          </button>
        </div>
      </form>
    </Modal>
  );
}

// Create or edit a device; on creation, the API key is shown once with a copy button.
import { type FormEvent, useState } from 'react';
import type { Device, DeviceCreated } from '../api/types.ts';
import { useApp } from '../session.tsx';
import { CopyButton, ErrorText, Modal } from './ui.tsx';

export function ApiKeyOnce({ deviceId, apiKey, onClose }: { deviceId: string; apiKey: string; onClose: () => void }) {
  return (
    <Modal title="API key" onClose={onClose}>
      <p>
        The API key of <strong>{deviceId}</strong> is shown <strong>only this once</strong>. Store it now: the device sends it in the
        <code> X-API-Key</code> header (HTTP), as its MQTT password, or as the <code>token</code> of Telegraf and InfluxDB clients
        writing line protocol to <code>/api/v2/write</code> (when the server has <code>LINE_PROTOCOL_ENABLED</code>).
      </p>
      <p className="key-row">
        <code className="api-key" data-testid="api-key">
          {apiKey}
        </code>
        <CopyButton text={apiKey} label="Copy key" />
      </p>
      <div className="actions">
        <button type="button" className="primary" onClick={onClose}>
          I have stored it
        </button>
      </div>
    </Modal>
  );
}

export function DeviceForm({ device, onDone, onCancel }: { device?: Device; onDone: (d: Device, apiKey?: string) => void; onCancel: () => void }) {
  const { api } = useApp();
  const [form, setForm] = useState({
    id: '',
    name: device?.name ?? '',
    device_type: device?.device_type ?? 'sensor',
    location: device?.location ?? '',
    description: device?.description ?? '',
    status: device?.status ?? 'active',
  });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const body = {
      name: form.name,
      device_type: form.device_type,
      location: form.location || null,
      description: form.description || null,
      status: form.status,
    };
    try {
      if (device) onDone(await api.put<Device>(`/api/v1/devices/${encodeURIComponent(device.id)}`, body));
      else {
        const created = await api.post<DeviceCreated>('/api/v1/devices', form.id ? { ...body, id: form.id } : body);
        onDone(created, created.api_key);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal title={device ? `Edit ${device.name}` : 'New device'} onClose={onCancel}>
      <form onSubmit={(e) => void submit(e)} className="form">
        {!device && (
          <label>
            Id (optional)
            <input name="id" value={form.id} onChange={set('id')} pattern="[A-Za-z0-9._\-]{1,64}" placeholder="generated when empty" />
          </label>
        )}
        <label>
          Name
          <input name="name" required value={form.name} onChange={set('name')} />
        </label>
        <label>
          Type
          <input name="device_type" required value={form.device_type} onChange={set('device_type')} />
        </label>
        <label>
          Location
          <input name="location" value={form.location} onChange={set('location')} />
        </label>
        <label>
          Description
          <textarea name="description" value={form.description} onChange={set('description')} rows={2} />
        </label>
        <label>
          Status
          <select name="status" value={form.status} onChange={set('status')}>
            <option value="active">active</option>
            <option value="inactive">inactive</option>
            <option value="maintenance">maintenance</option>
          </select>
        </label>
        <ErrorText error={error} />
        <div className="actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {device ? 'Save' : 'Create device'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

// Control (issue 3 endpoints): target temperature and on/off as desired state and commands, any
// command with JSON parameters, desired vs reported state, and the command history whose
// statuses follow the live stream to acked/failed.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { isMissingEndpoint } from '../api/client.ts';
import type { Command, DeviceState } from '../api/types.ts';
import { formatTime, formatValue } from '../lib/format.ts';
import { useAsync } from '../lib/use-async.ts';
import { useApp } from '../session.tsx';
import { Badge, ErrorText, Unavailable } from './ui.tsx';

const tone = (s: Command['status']) => (s === 'acked' ? 'ok' : s === 'failed' || s === 'expired' ? 'bad' : 'muted');

export function ControlPanel({ deviceId }: { deviceId: string }) {
  const { api, stream } = useApp();
  const base = `/api/v1/devices/${encodeURIComponent(deviceId)}`;
  const state = useAsync(() => api.get<DeviceState>(`${base}/state`), [api, base]);
  const history = useAsync(() => api.get<{ commands: Command[] } | Command[]>(`${base}/commands?limit=20`), [api, base]);
  const [commands, setCommands] = useState<Command[]>([]);
  const [target, setTarget] = useState('21');
  const [name, setName] = useState('');
  const [params, setParams] = useState('{}');
  const [error, setError] = useState<unknown>();
  const lastStateReload = useRef(0);
  const stateWorks = state.data !== undefined;

  useEffect(() => {
    const d = history.data;
    if (d) setCommands(Array.isArray(d) ? d : d.commands);
  }, [history.data]);

  useEffect(
    () =>
      stream.follow(deviceId, (m) => {
        if (m.type === 'command') {
          setCommands((list) => {
            const known = list.some((c) => c.id === m.command_id);
            const updated = { status: m.status, result: m.result };
            return known
              ? list.map((c) => (c.id === m.command_id ? { ...c, ...updated } : c))
              : [{ id: m.command_id, command: m.command, parameters: {}, created_at: new Date().toISOString(), ...updated }, ...list];
          });
        }
        // Reported state comes from telemetry: refresh it, at most every 2 s.
        if (m.type === 'points' && stateWorks && Date.now() - lastStateReload.current > 2000) {
          lastStateReload.current = Date.now();
          state.reload();
        }
      }),
    [stream, deviceId, state.reload, stateWorks],
  );

  if (isMissingEndpoint(state.error) && isMissingEndpoint(history.error)) {
    return (
      <div className="card">
        <h2>Control</h2>
        <Unavailable what="Device control (commands and desired state)" issue={3} />
      </div>
    );
  }

  async function run(action: () => Promise<unknown>) {
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(err);
    }
  }

  const send = (command: string, parameters: Record<string, unknown>) =>
    run(async () => {
      const c = await api.post<Command>(`${base}/commands`, { command, parameters });
      setCommands((list) => [c, ...list.filter((x) => x.id !== c.id)]);
    });

  const setTemperature = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await api.put(`${base}/state`, { desired: { target_temperature: Number(target) } });
      state.reload();
    });
  };

  const sendCustom = (e: FormEvent) => {
    e.preventDefault();
    let parameters: Record<string, unknown>;
    try {
      parameters = JSON.parse(params || '{}') as Record<string, unknown>;
    } catch {
      setError(new Error('Parameters must be a JSON object'));
      return;
    }
    void send(name, parameters);
  };

  const keys = [...new Set([...Object.keys(state.data?.desired ?? {}), ...Object.keys(state.data?.reported ?? {})])].sort();
  return (
    <div className="card">
      <h2>Control</h2>
      <form className="inline" onSubmit={setTemperature}>
        <label className="inline">
          Target temperature (°C)
          <input type="number" step="0.5" min="-50" max="100" value={target} onChange={(e) => setTarget(e.target.value)} name="target_temperature" />
        </label>
        <button type="submit" className="primary">
          Set target
        </button>
      </form>
      <div className="inline">
        <span>Power</span>
        <button type="button" onClick={() => void send('set_power', { on: true })}>
          On
        </button>
        <button type="button" onClick={() => void send('set_power', { on: false })}>
          Off
        </button>
      </div>
      <form className="inline wrap" onSubmit={sendCustom}>
        <label className="inline">
          Command
          <input required value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. reboot" name="command" />
        </label>
        <label className="inline grow">
          Parameters (JSON)
          <input value={params} onChange={(e) => setParams(e.target.value)} name="parameters" />
        </label>
        <button type="submit">Send</button>
      </form>
      <ErrorText error={error} />
      <h3>Desired and reported state</h3>
      {isMissingEndpoint(state.error) ? (
        <Unavailable what="Desired state" issue={3} />
      ) : keys.length === 0 ? (
        <p className="muted">No desired state set.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Key</th>
              <th>Desired</th>
              <th>Reported</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k} className={state.data?.delta && k in state.data.delta ? 'pending' : ''}>
                <td>{k}</td>
                <td>{formatValue(state.data?.desired[k])}</td>
                <td>{formatValue(state.data?.reported[k])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Command history</h3>
      {isMissingEndpoint(history.error) ? (
        <Unavailable what="Command history" issue={3} />
      ) : commands.length === 0 ? (
        <p className="muted">No commands sent yet.</p>
      ) : (
        <ul className="events" data-testid="commands">
          {commands.map((c) => (
            <li key={c.id}>
              <span className="muted">{formatTime(c.created_at)}</span> <code>{c.command}</code> {JSON.stringify(c.parameters)}{' '}
              <Badge tone={tone(c.status)}>{c.status}</Badge>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

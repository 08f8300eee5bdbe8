// Control: target temperature (a set_target_temperature command plus the desired state, so a device
// that was offline catches up), on/off and power level, any command with JSON parameters, desired vs
// reported state, and the command history whose statuses follow the live stream to acked/failed.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { Command, DeviceState } from '../api/types.ts';
import { formatTime, formatValue } from '../lib/format.ts';
import { useAsync } from '../lib/use-async.ts';
import { useApp } from '../session.tsx';
import { Badge, ErrorText } from './ui.tsx';

const tone = (s: Command['status']) => (s === 'acked' ? 'ok' : s === 'failed' || s === 'expired' ? 'bad' : 'muted');

const RANK: Record<Command['status'], number> = { pending: 0, delivered: 1, acked: 2, failed: 2, expired: 2 };
type CommandUpdate = { command_id: string; status: Command['status']; result?: unknown };

/** A command with a newer status applied; statuses never go back (a stale fetch cannot undo an ack). */
export function withUpdate(c: Command, update: CommandUpdate | undefined): Command {
  if (!update || update.command_id !== c.id || RANK[update.status] < RANK[c.status] || update.status === c.status) return c;
  return { ...c, status: update.status, ...(update.result !== undefined ? { result: update.result } : {}) };
}

/** Applies a status update from the stream; false when the command is not in the list yet. */
export function applyCommandUpdate(list: Command[], update: CommandUpdate): Command[] | false {
  if (!list.some((c) => c.id === update.command_id)) return false;
  return list.map((c) => withUpdate(c, update));
}

export function ControlPanel({ deviceId, deviceType }: { deviceId: string; deviceType: string }) {
  const { api, stream } = useApp();
  const base = `/api/v1/devices/${encodeURIComponent(deviceId)}`;
  const state = useAsync(() => api.get<DeviceState>(`${base}/state`), [api, base]);
  const history = useAsync(() => api.get<Command[]>(`${base}/commands?limit=20`), [api, base]);
  const [commands, setCommands] = useState<Command[]>([]);
  const [target, setTarget] = useState('21');
  const [power, setPower] = useState('');
  const [name, setName] = useState('');
  const [params, setParams] = useState('{}');
  const [error, setError] = useState<unknown>();
  const lastStateReload = useRef(0);
  /** Last status the stream gave per command id: a fast device may ack before the POST answers. */
  const latest = useRef(new Map<string, CommandUpdate>());
  const reloadState = state.reload;
  const reloadHistory = history.reload;

  useEffect(() => {
    // The fetch may have been answered before an ack the stream already brought.
    if (history.data) setCommands(history.data.map((c) => withUpdate(c, latest.current.get(c.id))));
  }, [history.data]);

  // Start the target field at the device's current target, until the user types.
  const edited = useRef(false);
  useEffect(() => {
    const t = state.data?.desired.target_temperature ?? state.data?.reported.target_temperature;
    if (!edited.current && typeof t === 'number') setTarget(String(t));
  }, [state.data]);

  useEffect(() => {
    const stop = stream.follow(deviceId, (m) => {
      if (m.type === 'command') {
        const before = latest.current.get(m.command_id);
        if (!before || RANK[m.status] >= RANK[before.status]) latest.current.set(m.command_id, m);
        let unknown = false;
        setCommands((list) => {
          const next = applyCommandUpdate(list, m);
          if (next) return next;
          unknown = true;
          return list;
        });
        // Sent from elsewhere (another tab, the API), or failed (the stream carries no error text):
        // fetch the history to show it in full.
        if (unknown || m.status === 'failed') reloadHistory();
      }
      // Reported state comes from telemetry: refresh it, at most every 2 s.
      if (m.type === 'points' && Date.now() - lastStateReload.current > 2000) {
        lastStateReload.current = Date.now();
        reloadState();
      }
    });
    const resume = stream.onResume(() => {
      reloadHistory();
      reloadState();
    });
    return () => {
      stop();
      resume();
    };
  }, [stream, deviceId, reloadState, reloadHistory]);

  async function run(action: () => Promise<unknown>) {
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(err);
    }
  }

  const sendCommand = async (command: string, parameters: Record<string, unknown>) => {
    const c = await api.post<Command>(`${base}/commands`, { command, parameters });
    // A fast device may have acked before this answer: keep the newer status from the stream.
    const shown = withUpdate(c, latest.current.get(c.id));
    setCommands((list) => (list.some((x) => x.id === c.id) ? list : [shown, ...list]));
  };
  const send = (command: string, parameters: Record<string, unknown>) => run(() => sendCommand(command, parameters));

  const setTemperature = (e: FormEvent) => {
    e.preventDefault();
    const temperature = Number(target);
    void run(async () => {
      await sendCommand('set_target_temperature', { temperature });
      await api.put(`${base}/state`, { desired: { target_temperature: temperature } });
      reloadState();
    });
  };

  const setPowerLevel = (e: FormEvent) => {
    e.preventDefault();
    void send('set_power', { power: Number(power) });
  };

  const sendCustom = (e: FormEvent) => {
    e.preventDefault();
    let parameters: unknown;
    try {
      parameters = JSON.parse(params || '{}');
    } catch {
      setError(new Error('Parameters must be a JSON object'));
      return;
    }
    if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
      setError(new Error('Parameters must be a JSON object'));
      return;
    }
    void send(name, parameters as Record<string, unknown>);
  };

  // Target temperature where it means something: thermostats, and devices that report or want one.
  const hasTarget =
    /thermo|hvac|heat/i.test(deviceType) || state.data?.reported.target_temperature !== undefined || state.data?.desired.target_temperature !== undefined;
  const keys = [...new Set([...Object.keys(state.data?.desired ?? {}), ...Object.keys(state.data?.reported ?? {})])].sort();
  return (
    <div className="card">
      <h2>Control</h2>
      {hasTarget && (
        <form className="inline wrap" onSubmit={setTemperature}>
          <label className="inline">
            Target temperature (°C)
            <input
              type="number"
              step="0.5"
              min="-50"
              max="100"
              required
              value={target}
              onChange={(e) => {
                edited.current = true;
                setTarget(e.target.value);
              }}
              name="target_temperature"
            />
          </label>
          <button type="submit" className="primary">
            Set target
          </button>
        </form>
      )}
      <div className="inline wrap" role="group" aria-label="Power">
        <span>Power</span>
        <button type="button" onClick={() => void send('turn_on', {})}>
          On
        </button>
        <button type="button" onClick={() => void send('turn_off', {})}>
          Off
        </button>
      </div>
      <form className="inline wrap" onSubmit={setPowerLevel}>
        <label className="inline">
          Power level
          <input type="number" step="any" min="0" required value={power} onChange={(e) => setPower(e.target.value)} name="power" className="narrow" />
        </label>
        <button type="submit">Set power</button>
      </form>
      <form className="inline wrap" onSubmit={sendCustom}>
        <label className="inline">
          Command
          <input required value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. reboot" name="command" pattern="[A-Za-z0-9._:\-]{1,100}" />
        </label>
        <label className="inline grow">
          Parameters (JSON)
          <input value={params} onChange={(e) => setParams(e.target.value)} name="parameters" />
        </label>
        <button type="submit">Send</button>
      </form>
      <ErrorText error={error} />
      <h3>Desired and reported state</h3>
      <ErrorText error={state.error} />
      {keys.length === 0 ? (
        <p className="muted">No desired state set.</p>
      ) : (
        <div className="table-wrap">
          <table data-testid="device-state">
            <thead>
              <tr>
                <th>Key</th>
                <th>Desired</th>
                <th>Reported</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k} className={state.data && k in state.data.delta ? 'pending' : ''}>
                  <td>{k}</td>
                  <td>{formatValue(state.data?.desired[k])}</td>
                  <td>{formatValue(state.data?.reported[k])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Command history</h3>
      <ErrorText error={history.error} />
      {commands.length === 0 ? (
        <p className="muted">No commands sent yet.</p>
      ) : (
        <ul className="events" data-testid="commands">
          {commands.map((c) => (
            <li key={c.id} data-command={c.command} data-status={c.status}>
              <span className="muted">{formatTime(c.created_at)}</span> <code>{c.command}</code> <code className="params">{JSON.stringify(c.parameters)}</code>{' '}
              <Badge tone={tone(c.status)}>{c.status}</Badge>
              {c.error ? <span className="error small block">{c.error}</span> : null}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

// Control: the controls the device's profile offers (ProfileControls), disabled with the reason for
// a user with read access; desired vs reported state with units; and the command history whose
// statuses follow the live stream to acked/failed.
import { useEffect, useRef, useState } from 'react';
import type { Command, DeviceProfile, DeviceState } from '../api/types.ts';
import { formatTime } from '../lib/format.ts';
import { fieldSpec, fieldTitle, formatReading } from '../lib/profile.ts';
import { useAsync } from '../lib/use-async.ts';
import { useApp } from '../session.tsx';
import { ProfileControls } from './ProfileControls.tsx';
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

export function ControlPanel({ deviceId, profile }: { deviceId: string; profile: DeviceProfile | undefined }) {
  const { api, stream } = useApp();
  const base = `/api/v1/devices/${encodeURIComponent(deviceId)}`;
  const state = useAsync(() => api.get<DeviceState>(`${base}/state`), [api, base]);
  const history = useAsync(() => api.get<Command[]>(`${base}/commands?limit=20`), [api, base]);
  const [commands, setCommands] = useState<Command[]>([]);
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

  // A target is a command (the device acts now) and desired state (a device that was offline catches up).
  const setTarget = (temperature: number) =>
    void run(async () => {
      await sendCommand('set_target_temperature', { temperature });
      if (profile?.profile?.desired.some((d) => d.key === 'target_temperature')) {
        await api.put(`${base}/state`, { desired: { target_temperature: temperature } });
      }
      reloadState();
    });

  const canControl = profile !== undefined && profile.access !== 'read';
  const spec = (key: string) => fieldSpec(profile?.profile, key);
  const keys = [...new Set([...Object.keys(state.data?.desired ?? {}), ...Object.keys(state.data?.reported ?? {})])].sort();
  return (
    <div className="card">
      <h2>Control</h2>
      {profile?.access === 'read' && (
        <p className="muted" role="note">
          You have read access to this device: its controls need control access, which its owner can give you.
        </p>
      )}
      {profile && (
        <fieldset className="controls" disabled={!canControl}>
          <legend className="sr-only">Controls</legend>
          <ProfileControls profile={profile.profile} state={state.data} send={send} onSetTarget={setTarget} onError={setError} />
        </fieldset>
      )}
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
                  <td>{fieldTitle(spec(k), k)}</td>
                  <td>{formatReading(state.data?.desired[k], spec(k))}</td>
                  <td>{formatReading(state.data?.reported[k], spec(k))}</td>
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

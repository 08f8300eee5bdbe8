// The controls a device's profile offers: a thermostat's target, a switch's on/off, a lock's
// lock/unlock, then every other command with an input per parameter (range and unit from the
// profile). Devices without a profile, or whose profile takes any command, also get a free form.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { checkCommand, describeRange } from '../../../src/contract/profiles/profile-checks.ts';
import type { CommandSpec, DeviceState, ParamSpec, Profile } from '../api/types.ts';

export type Send = (command: string, parameters: Record<string, unknown>) => Promise<void>;

const has = (p: Profile, name: string) => p.commands.some((c) => c.name === name);
const labelOf = (p: ParamSpec) => (p.unit ? `${p.label} (${p.unit})` : p.label);

/** Commands drawn by a dedicated control, so they are not repeated in the generic list. */
function dedicated(p: Profile): Set<string> {
  const out = new Set<string>();
  if (p.views.control === 'thermostat') out.add('set_target_temperature');
  if (has(p, 'turn_on') && has(p, 'turn_off')) out.add('turn_on').add('turn_off');
  if (p.views.control === 'lock') out.add('lock').add('unlock');
  return out;
}

function ThermostatTarget({ profile, state, onSet }: { profile: Profile; state: DeviceState | undefined; onSet: (t: number) => void }) {
  const spec = profile.commands.find((c) => c.name === 'set_target_temperature')?.params.find((p) => p.key === 'temperature');
  const [target, setTarget] = useState('21');
  // Start the field at the device's current target, until the user types.
  const edited = useRef(false);
  useEffect(() => {
    const t = state?.desired.target_temperature ?? state?.reported.target_temperature;
    if (!edited.current && typeof t === 'number') setTarget(String(t));
  }, [state]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSet(Number(target));
  };
  return (
    <form className="inline wrap" onSubmit={submit}>
      <label className="inline">
        Target temperature ({spec?.unit ?? '°C'})
        <input
          type="number"
          step="0.5"
          min={spec?.min ?? undefined}
          max={spec?.max ?? undefined}
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
      {spec && <span className="muted small">{describeRange(spec)}</span>}
    </form>
  );
}

function ParamInput({ param, value, onChange }: { param: ParamSpec; value: string; onChange: (v: string) => void }) {
  if (param.type === 'boolean' || param.type === 'enum') {
    const options = param.type === 'boolean' ? ['true', 'false'] : param.values;
    return (
      <label className="inline">
        {labelOf(param)}
        <select value={value} onChange={(e) => onChange(e.target.value)} name={param.key} required={param.required}>
          <option value="">choose…</option>
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </label>
    );
  }
  const numeric = param.type === 'number' || param.type === 'integer';
  return (
    <label className="inline">
      {labelOf(param)}
      <input
        type={numeric ? 'number' : 'text'}
        step={param.type === 'integer' ? 1 : 'any'}
        min={param.min ?? undefined}
        max={param.max ?? undefined}
        required={param.required}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        name={param.key}
        className="narrow"
        title={numeric ? describeRange(param) : undefined}
      />
    </label>
  );
}

function parseParam(param: ParamSpec, text: string): unknown {
  if (text === '') return undefined;
  if (param.type === 'number' || param.type === 'integer') return Number(text);
  if (param.type === 'boolean') return text === 'true';
  return text;
}

/** One command: a button when it takes no parameters, else a small form with an input per parameter. */
function CommandForm({ profile, command, send, onError }: { profile: Profile; command: CommandSpec; send: Send; onError: (e: unknown) => void }) {
  const [values, setValues] = useState<Record<string, string>>({});
  if (command.params.length === 0) {
    return (
      <button type="button" onClick={() => void send(command.name, {})}>
        {command.label}
      </button>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parameters: Record<string, unknown> = {};
    for (const p of command.params) {
      const v = parseParam(p, values[p.key] ?? '');
      if (v !== undefined) parameters[p.key] = v;
    }
    // The same check the server makes, so the user hears at once what is allowed.
    const problem = checkCommand(profile, command.name, parameters)[0];
    if (problem) onError(new Error(problem.message));
    else void send(command.name, parameters);
  };
  return (
    <form className="inline wrap" onSubmit={submit} aria-label={command.label}>
      {command.params.map((p) => (
        <ParamInput key={p.key} param={p} value={values[p.key] ?? ''} onChange={(v) => setValues((old) => ({ ...old, [p.key]: v }))} />
      ))}
      <button type="submit">{command.label}</button>
    </form>
  );
}

/** Any command with JSON parameters: for unprofiled devices and profiles that take any command. */
function FreeCommand({ send, onError }: { send: Send; onError: (e: unknown) => void }) {
  const [name, setName] = useState('');
  const [params, setParams] = useState('{}');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    let parameters: unknown;
    try {
      parameters = JSON.parse(params || '{}');
    } catch {
      parameters = undefined;
    }
    if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
      onError(new Error('Parameters must be a JSON object'));
      return;
    }
    void send(name, parameters as Record<string, unknown>);
  };
  return (
    <form className="inline wrap" onSubmit={submit}>
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
  );
}

export interface ProfileControlsProps {
  profile: Profile | null;
  state: DeviceState | undefined;
  send: Send;
  onSetTarget: (temperature: number) => void;
  onError: (e: unknown) => void;
}

export function ProfileControls({ profile, state, send, onSetTarget, onError }: ProfileControlsProps) {
  if (!profile) return <FreeCommand send={send} onError={onError} />;
  const own = dedicated(profile);
  const rest = profile.commands.filter((c) => !own.has(c.name));
  return (
    <>
      {profile.views.control === 'thermostat' && has(profile, 'set_target_temperature') && <ThermostatTarget profile={profile} state={state} onSet={onSetTarget} />}
      {own.has('turn_on') && (
        <div className="inline wrap" role="group" aria-label="Power">
          <span>Power</span>
          <button type="button" onClick={() => void send('turn_on', {})}>
            On
          </button>
          <button type="button" onClick={() => void send('turn_off', {})}>
            Off
          </button>
        </div>
      )}
      {own.has('lock') && (
        <div className="inline wrap" role="group" aria-label="Lock">
          <button type="button" className="primary" onClick={() => void send('lock', {})}>
            Lock
          </button>
          <button type="button" onClick={() => void send('unlock', {})}>
            Unlock
          </button>
        </div>
      )}
      {rest.length > 0 && (
        <div className="inline wrap" role="group" aria-label="Commands">
          {rest.map((c) => (
            <CommandForm key={c.name} profile={profile} command={c} send={send} onError={onError} />
          ))}
        </div>
      )}
      {profile.open_commands && <FreeCommand send={send} onError={onError} />}
    </>
  );
}

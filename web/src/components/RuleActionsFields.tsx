// The rule form's actions: what the rule does as its alarm is raised (or cleared), as its owner would:
// send a command (name and JSON parameters) or set one desired-state key, on the alarm's device or
// another one. The target's profile suggests its commands and desired keys.
import type { Profile } from '../api/types.ts';
import { type ActionDraft, emptyAction } from '../lib/rule-draft.ts';

export function RuleActionsFields({
  actions,
  profile,
  issues,
  onChange,
}: {
  actions: ActionDraft[];
  profile: Profile | undefined;
  issues: Record<string, string[]>;
  onChange: (actions: ActionDraft[]) => void;
}) {
  const setAction = (i: number, part: Partial<ActionDraft>) => onChange(actions.map((a, j) => (j === i ? { ...a, ...part } : a)));
  return (
    <fieldset className="rule-actions">
      <legend>Actions</legend>
      <p className="muted small">Run as you (you need control access to the device); each outcome is recorded on the alarm.</p>
      <datalist id="rule-commands">
        {(profile?.commands ?? []).map((c) => (
          <option key={c.name} value={c.name} />
        ))}
      </datalist>
      <datalist id="rule-desired-keys">
        {(profile?.desired ?? []).map((d) => (
          <option key={d.key} value={d.key} />
        ))}
      </datalist>
      {actions.map((a, i) => {
        const n = i + 1;
        const command = a.kind === 'command';
        return (
          <div className="condition-row" key={i} role="group" aria-label={`Action ${n}`}>
            <label>
              When
              <select value={a.on} onChange={(e) => setAction(i, { on: e.target.value as ActionDraft['on'] })}>
                <option value="raise">raised</option>
                <option value="clear">cleared by the rule</option>
              </select>
            </label>
            <label>
              Do
              <select value={a.kind} onChange={(e) => setAction(i, { kind: e.target.value as ActionDraft['kind'], value: e.target.value === 'command' ? '{}' : '' })}>
                <option value="command">send a command</option>
                <option value="desired_state">set desired state</option>
              </select>
            </label>
            <label>
              {command ? 'Command' : 'Key'}
              <input list={command ? 'rule-commands' : 'rule-desired-keys'} value={a.name} onChange={(e) => setAction(i, { name: e.target.value })} />
            </label>
            <label>
              {command ? 'Parameters (JSON)' : 'Value'}
              <input value={a.value} onChange={(e) => setAction(i, { value: e.target.value })} />
            </label>
            <label>
              Device
              <input placeholder="the alarm's device" value={a.deviceId} onChange={(e) => setAction(i, { deviceId: e.target.value })} />
            </label>
            <button type="button" className="danger" onClick={() => onChange(actions.filter((_, j) => j !== i))}>
              Remove action {n}
            </button>
            {issues[`actions.${i}`]?.length ? (
              <ul className="field-issues" role="alert">
                {issues[`actions.${i}`]!.map((m) => (
                  <li key={m}>{m}</li>
                ))}
              </ul>
            ) : null}
          </div>
        );
      })}
      <button type="button" onClick={() => onChange([...actions, emptyAction()])} disabled={actions.length >= 10}>
        Add action
      </button>
    </fieldset>
  );
}

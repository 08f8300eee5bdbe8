// Creating or editing a rule: the target (a device from the picker, or a device type), compare
// conditions with the profile's unit beside each threshold, a duration, a severity, on/off; a dry
// run over the last 24 h of stored data; actions (commands, desired state); the server's validation
// messages beside the parts they name.
import { type FormEvent, useMemo, useState } from 'react';
import { ApiError } from '../api/client.ts';
import type { DeviceProfile, DryRun, Profile, Rule } from '../api/types.ts';
import { OPS, SEVERITIES, severityLabel } from '../lib/alarms.ts';
import { formatTime } from '../lib/format.ts';
import { fieldSpec } from '../lib/profile.ts';
import { type ConditionDraft, EMPTY_DRAFT, type RuleDraft, bodyOf, draftOf, emptyCondition, issuesByPart } from '../lib/rule-draft.ts';
import { useAsync } from '../lib/use-async.ts';
import { useApp } from '../session.tsx';
import { DevicePicker } from './DevicePicker.tsx';
import { RuleActionsFields } from './RuleActionsFields.tsx';
import { ErrorText } from './ui.tsx';

function Issues({ list }: { list: string[] | undefined }) {
  if (!list?.length) return null;
  return (
    <ul className="field-issues" role="alert">
      {list.map((m) => (
        <li key={m}>{m}</li>
      ))}
    </ul>
  );
}

/** The profile that describes the rule's target: the device's own, or the one for the device type. */
function useTargetProfile(draft: RuleDraft): Profile | undefined {
  const { api } = useApp();
  const device = useAsync(
    () => (draft.targetKind === 'device' && draft.deviceId ? api.get<DeviceProfile>(`/api/v1/devices/${encodeURIComponent(draft.deviceId)}/profile`) : Promise.resolve(undefined)),
    [api, draft.targetKind, draft.deviceId],
  );
  const profiles = useAsync(() => api.get<{ profiles: Profile[] }>('/api/v1/profiles'), [api]);
  if (draft.targetKind === 'device') return device.data?.profile ?? undefined;
  const type = draft.deviceType.trim();
  const all = profiles.data?.profiles ?? [];
  return all.find((p) => !p.builtin && p.device_type === type) ?? all.find((p) => p.device_type === type || p.aliases.includes(type));
}

export function RuleForm({ rule, onDone, onCancel }: { rule?: Rule; onDone: () => void; onCancel: () => void }) {
  const { api } = useApp();
  const [draft, setDraft] = useState<RuleDraft>(rule ? draftOf(rule) : EMPTY_DRAFT);
  const [error, setError] = useState<unknown>();
  const [dryRun, setDryRun] = useState<DryRun>();
  const [busy, setBusy] = useState(false);
  const profile = useTargetProfile(draft);
  const profiles = useAsync(() => api.get<{ profiles: Profile[] }>('/api/v1/profiles'), [api]);
  const types = useMemo(() => [...new Set((profiles.data?.profiles ?? []).map((p) => p.device_type))].sort(), [profiles.data]);
  const issues = error instanceof ApiError && error.code === 'VALIDATION_FAILED' ? issuesByPart(error.details) : {};
  const set = (part: Partial<RuleDraft>) => setDraft((d) => ({ ...d, ...part }));
  const setCondition = (i: number, part: Partial<ConditionDraft>) => set({ conditions: draft.conditions.map((c, j) => (j === i ? { ...c, ...part } : c)) });

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const body = bodyOf(draft, rule);
      if (rule) await api.put(`/api/v1/rules/${encodeURIComponent(rule.id)}`, body);
      else await api.post('/api/v1/rules', body);
      onDone();
    });
  };
  const tryIt = () =>
    void run(async () => {
      setDryRun(undefined);
      setDryRun(await api.post<DryRun>('/api/v1/rules/dry-run', { rule: bodyOf(draft, rule), hours: 24 }));
    });

  const fields = profile?.fields ?? [];
  return (
    <form className="form card rule-form" aria-label={rule ? `Edit rule ${rule.name}` : 'New rule'} onSubmit={save} noValidate>
      <h2>{rule ? `Edit ${rule.name}` : 'New rule'}</h2>
      <label>
        Name
        <input value={draft.name} maxLength={200} onChange={(e) => set({ name: e.target.value })} />
      </label>
      <Issues list={issues.name} />
      <fieldset className="rule-target">
        <legend>Watches</legend>
        <div className="segmented" role="radiogroup" aria-label="Target">
          {(['device', 'device_type'] as const).map((k) => (
            <label key={k} className="inline">
              <input type="radio" name="target-kind" checked={draft.targetKind === k} onChange={() => set({ targetKind: k })} />
              {k === 'device' ? 'One device' : 'Every device of a type'}
            </label>
          ))}
        </div>
        {draft.targetKind === 'device' ? (
          <DevicePicker label="Rule device" value={draft.deviceId} onChange={(deviceId) => set({ deviceId })} />
        ) : (
          <label>
            Device type
            <input list="rule-device-types" value={draft.deviceType} onChange={(e) => set({ deviceType: e.target.value })} />
            <datalist id="rule-device-types">
              {types.map((t) => (
                <option key={t} value={t} />
              ))}
            </datalist>
          </label>
        )}
        <Issues list={issues.target} />
      </fieldset>
      <fieldset className="rule-conditions">
        <legend>Conditions</legend>
        {draft.conditions.length > 1 && (
          <label>
            Raise when
            <select value={draft.join} onChange={(e) => set({ join: e.target.value as RuleDraft['join'] })}>
              <option value="all">all conditions hold</option>
              <option value="any">any condition holds</option>
            </select>
          </label>
        )}
        <datalist id="rule-fields">
          {fields.map((f) => (
            <option key={f.key} value={f.key}>
              {f.label}
            </option>
          ))}
        </datalist>
        {draft.conditions.map((c, i) => {
          const spec = fieldSpec(profile, c.field.trim());
          const n = i + 1;
          return (
            <div className="condition-row" key={i} role="group" aria-label={`Condition ${n}`}>
              <label>
                Field
                <input list="rule-fields" value={c.field} onChange={(e) => setCondition(i, { field: e.target.value })} />
              </label>
              <label>
                Operator
                <select value={c.op} onChange={(e) => setCondition(i, { op: e.target.value as ConditionDraft['op'] })}>
                  {OPS.map(([op, symbol]) => (
                    <option key={op} value={op}>
                      {symbol}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Threshold{spec?.unit ? ` (${spec.unit})` : ''}
                <input className="narrow" inputMode="decimal" value={c.value} onChange={(e) => setCondition(i, { value: e.target.value })} />
              </label>
              {draft.conditions.length > 1 && (
                <button type="button" className="danger" onClick={() => set({ conditions: draft.conditions.filter((_, j) => j !== i) })}>
                  Remove condition {n}
                </button>
              )}
              <Issues list={issues[`condition.${i}`]} />
            </div>
          );
        })}
        <button type="button" onClick={() => set({ conditions: [...draft.conditions, emptyCondition()] })} disabled={draft.conditions.length >= 20}>
          Add condition
        </button>
        <Issues list={draft.conditions.length === 1 ? undefined : issues.condition} />
      </fieldset>
      <div className="inline">
        <label>
          For (seconds)
          <input className="narrow" inputMode="numeric" value={draft.forS} onChange={(e) => set({ forS: e.target.value })} />
        </label>
        <label>
          Severity
          <select value={draft.severity} onChange={(e) => set({ severity: e.target.value as RuleDraft['severity'] })}>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {severityLabel(s)}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
          Enabled
        </label>
      </div>
      <Issues list={[...(issues.for_s ?? []), ...(issues.severity ?? []), ...(issues.rule ?? []), ...(issues.hours ?? [])]} />
      <RuleActionsFields actions={draft.actions} profile={profile} issues={issues} onChange={(actions) => set({ actions })} />
      <Issues list={issues.actions} />
      {!(error instanceof ApiError && error.code === 'VALIDATION_FAILED') && <ErrorText error={error} />}
      {error instanceof ApiError && error.code === 'VALIDATION_FAILED' && (
        <p className="error" role="alert">
          The rule was not saved: {error.message}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" disabled={busy} onClick={tryIt}>
          Dry run (last 24 h)
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {rule ? 'Save rule' : 'Create rule'}
        </button>
      </div>
      {dryRun && <DryRunResult result={dryRun} />}
    </form>
  );
}

export function DryRunResult({ result }: { result: DryRun }) {
  const fired = result.devices.filter((d) => d.transitions.length > 0);
  return (
    <div className="dry-run" role="status" aria-label="Dry run result">
      <h3>Dry run: {formatTime(result.start)} – {formatTime(result.end)}</h3>
      {result.devices.length === 0 && <p className="muted">No device matches this target.</p>}
      {result.devices.length > 0 && fired.length === 0 && <p>It would not have fired ({result.devices.reduce((n, d) => n + d.points, 0)} points replayed).</p>}
      {fired.map((d) => (
        <div key={d.device_id}>
          <strong>{d.device_id}</strong>
          {d.truncated && <span className="muted small"> (stopped at the point limit)</span>}
          <ul>
            {d.transitions.map((t, i) => (
              <li key={i}>
                {formatTime(t.at)}: {t.event === 'severity_changed' ? 'severity changed to' : `would have ${t.event === 'raised' ? 'fired' : 'cleared'},`} {severityLabel(t.severity)}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}

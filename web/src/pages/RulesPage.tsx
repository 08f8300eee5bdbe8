// The user's rules (an admin's: everyone's): create, edit, delete, and a dry run of a saved rule.
import { useState } from 'react';
import type { DryRun, Rule } from '../api/types.ts';
import { SeverityBadge } from '../components/AlarmList.tsx';
import { DryRunResult, RuleForm } from '../components/RuleForm.tsx';
import { ErrorText } from '../components/ui.tsx';
import { describeAction, describeCondition, describeTarget } from '../lib/alarms.ts';
import { formEditable } from '../lib/rule-draft.ts';
import { useAction } from '../lib/use-action.ts';
import { useAsync } from '../lib/use-async.ts';
import { Link } from '../router.tsx';
import { useApp } from '../session.tsx';

export function RulesPage() {
  const { api } = useApp();
  const rules = useAsync(() => api.get<{ rules: Rule[] }>('/api/v1/rules'), [api]);
  const [editing, setEditing] = useState<Rule | 'new'>();
  const [dryRuns, setDryRuns] = useState<Record<string, DryRun>>({});
  const { error, act } = useAction(rules.reload);
  const done = () => {
    setEditing(undefined);
    rules.reload();
  };
  const list = rules.data?.rules ?? [];

  return (
    <section>
      <div className="page-head">
        <h1>Rules</h1>
        <div className="inline">
          <Link to="/alarms">Alarms</Link>
          <button type="button" className="primary" onClick={() => setEditing('new')} disabled={editing !== undefined}>
            New rule
          </button>
        </div>
      </div>
      <p className="muted">A rule raises an alarm when its condition has held for its duration; it clears when the condition no longer holds.</p>
      {editing && <RuleForm key={editing === 'new' ? 'new' : editing.id} rule={editing === 'new' ? undefined : editing} onDone={done} onCancel={() => setEditing(undefined)} />}
      <ErrorText error={rules.error ?? error} />
      {rules.data && list.length === 0 && <p className="muted">No rules yet.</p>}
      <ul className="rules" aria-label="Rules">
        {list.map((r) => (
          <li key={r.id} className="card rule" aria-label={`Rule ${r.name}`}>
            <div className="alarm-head">
              <SeverityBadge severity={r.severity} /> <strong>{r.name}</strong> {!r.enabled && <span className="badge muted">disabled</span>}
            </div>
            <p className="small">
              {describeTarget(r.target)}: {describeCondition(r.condition)}
              {r.for_s > 0 && ` for ${r.for_s} s`}
            </p>
            {r.actions.length > 0 && (
              <p className="small">
                Then:{' '}
                {r.actions.map((a) => `${a.on === 'clear' ? 'when cleared, ' : ''}${describeAction(a)}`).join('; ')}
              </p>
            )}
            <div className="inline">
              <button type="button" disabled={!formEditable(r) || editing !== undefined} title={formEditable(r) ? undefined : 'This rule uses parts the form does not edit: change it through the API'} onClick={() => setEditing(r)}>
                Edit
              </button>
              <button type="button" onClick={() => void act(async () => setDryRuns({ ...dryRuns, [r.id]: await api.post<DryRun>(`/api/v1/rules/${encodeURIComponent(r.id)}/dry-run?hours=24`) }))}>
                Dry run (last 24 h)
              </button>
              <button type="button" className="danger" onClick={() => window.confirm(`Delete the rule ${r.name}? Its open alarms are cleared.`) && void act(() => api.del(`/api/v1/rules/${encodeURIComponent(r.id)}`))}>
                Delete
              </button>
            </div>
            {dryRuns[r.id] && <DryRunResult result={dryRuns[r.id]!} />}
          </li>
        ))}
      </ul>
    </section>
  );
}

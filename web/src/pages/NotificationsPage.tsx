// Your notification preferences (which alarm changes reach you, on which channels, when not, and
// whether you are told only of alarms still unacknowledged after a while) and, for admins, the
// dead-letter list of notifications that failed every attempt, with retry.
import { type FormEvent, useEffect, useState } from 'react';
import { ApiError } from '../api/client.ts';
import type { NotificationPreferences } from '../api/types.ts';
import { DeadLetters } from '../components/DeadLetters.tsx';
import { ErrorText } from '../components/ui.tsx';
import { SEVERITIES, severityLabel } from '../lib/alarms.ts';
import { type PreferencesDraft, draftOfPreferences, preferencesBody } from '../lib/preferences-draft.ts';
import { useAsync } from '../lib/use-async.ts';
import { useApp } from '../session.tsx';

export function NotificationsPage() {
  const { api, session } = useApp();
  const saved = useAsync(() => api.get<NotificationPreferences>('/api/v1/notifications/preferences'), [api]);
  const [draft, setDraft] = useState<PreferencesDraft>();
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);
  useEffect(() => {
    if (saved.data) setDraft(draftOfPreferences(saved.data));
  }, [saved.data]);
  const set = (part: Partial<PreferencesDraft>) => {
    setDone(false);
    setDraft((d) => (d ? { ...d, ...part } : d));
  };

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!draft) return;
    setError(undefined);
    try {
      setDraft(draftOfPreferences(await api.put<NotificationPreferences>('/api/v1/notifications/preferences', preferencesBody(draft))));
      setDone(true);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section>
      <h1>Notifications</h1>
      <p className="muted">Which alarm changes reach you, and how. Nothing is sent until you save a channel.</p>
      <ErrorText error={saved.error} />
      {draft && (
        <form className="form card" aria-label="Notification preferences" onSubmit={(e) => void save(e)} noValidate>
          <fieldset>
            <legend>Severities</legend>
            <div className="inline wrap">
              {SEVERITIES.map((s) => (
                <label key={s} className="inline">
                  <input type="checkbox" checked={draft.severities.includes(s)} onChange={(e) => set({ severities: e.target.checked ? [...draft.severities, s] : draft.severities.filter((x) => x !== s) })} />
                  {severityLabel(s)}
                </label>
              ))}
            </div>
          </fieldset>
          <fieldset>
            <legend>Channels</legend>
            <label>
              Webhook URL
              <input type="url" value={draft.webhookUrl} onChange={(e) => set({ webhookUrl: e.target.value })} placeholder="https://hooks.example.com/fluxgate" />
            </label>
            <label>
              Webhook secret (HMAC-SHA256 key, at least 16 characters){draft.secretSet ? ' — saved; leave blank to keep it' : ''}
              <input type="password" autoComplete="new-password" value={draft.webhookSecret} onChange={(e) => set({ webhookSecret: e.target.value })} />
            </label>
            <label>
              Email address
              <input type="email" value={draft.email} onChange={(e) => set({ email: e.target.value })} />
            </label>
            <label className="inline">
              <input type="checkbox" checked={draft.mqtt} onChange={(e) => set({ mqtt: e.target.checked })} />
              Publish on MQTT alarms/&#123;device_id&#125;
            </label>
          </fieldset>
          <fieldset>
            <legend>Only these</legend>
            <label>
              Devices (ids, comma-separated; blank: every device you may read)
              <input value={draft.deviceIds} onChange={(e) => set({ deviceIds: e.target.value })} />
            </label>
            <label>
              Device types (comma-separated; blank: any)
              <input value={draft.deviceTypes} onChange={(e) => set({ deviceTypes: e.target.value })} />
            </label>
          </fieldset>
          <fieldset>
            <legend>Quiet hours</legend>
            <div className="inline wrap">
              <label>
                From
                <input type="time" value={draft.quietStart} onChange={(e) => set({ quietStart: e.target.value })} />
              </label>
              <label>
                To
                <input type="time" value={draft.quietEnd} onChange={(e) => set({ quietEnd: e.target.value })} />
              </label>
              <label>
                Time zone
                <input value={draft.timeZone} onChange={(e) => set({ timeZone: e.target.value })} placeholder="Europe/Berlin" />
              </label>
            </div>
          </fieldset>
          <label>
            Escalation: tell me only of alarms still unacknowledged after (seconds; blank: at once)
            <input className="narrow" inputMode="numeric" value={draft.escalateAfterS} onChange={(e) => set({ escalateAfterS: e.target.value })} />
          </label>
          {error instanceof ApiError && error.code === 'VALIDATION_FAILED' ? (
            <p className="error" role="alert">
              Not saved: {error.message}
            </p>
          ) : (
            <ErrorText error={error} />
          )}
          {done && <p role="status">Saved.</p>}
          <div className="actions">
            <button type="submit" className="primary">
              Save preferences
            </button>
          </div>
        </form>
      )}
      {session?.user.role === 'admin' && <DeadLetters />}
    </section>
  );
}

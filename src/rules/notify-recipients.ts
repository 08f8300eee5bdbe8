// Who hears of an alarm change: the device's owner and the users it is shared with (each by their own
// preferences, escalate_after_s included), and the people a rule's notification plan names, step by
// step. A plan's user is told only about devices they may read, through their own preferences, and
// when the plan says (the step's after_s replaces their escalate_after_s, and they are not told again
// as a reader of the device); its addresses are emailed directly.
import type { Alarm } from '../domain/alarm.ts';
import type { Device } from '../domain/device.ts';
import type { NotificationPreferences, NotifiedKind } from '../domain/notification.ts';
import { wantsNotification } from '../domain/notification.ts';
import type { NotifyStep } from '../domain/rule.ts';
import type { Storage } from '../storage/storage.ts';

export interface Recipient {
  /** The user, or null for an address the rule emails directly. */
  userId: string | null;
  channels: NotificationPreferences['channels'];
  /** Told only if the raised alarm is still unacknowledged this many seconds after it was raised. */
  afterS?: number | undefined;
  /** From a rule's plan (part of the idempotency key, so one user may be in several steps). */
  step?: number | undefined;
}

/** Whether a recipient waiting `afterS` hears of this kind of change (only of the raise, later). */
const hears = (kind: NotifiedKind, afterS: number | undefined) => afterS === undefined || kind === 'raised';

export async function recipientsOf(storage: Storage, device: Device, alarm: Alarm, kind: NotifiedKind, at: number, plan: readonly NotifyStep[]): Promise<Recipient[]> {
  const out: Recipient[] = [];
  const shared = (await storage.listAccess(device.id)).map((g) => g.userId);
  const readers = new Set([device.ownerId, ...shared]);
  const prefsOf = async (userId: string): Promise<NotificationPreferences | undefined> => {
    const prefs = await storage.getNotificationPreferences(userId);
    if (!prefs || !wantsNotification(prefs, alarm, device.deviceType, at)) return undefined;
    return (await storage.getUser(userId))?.isActive ? prefs : undefined;
  };
  // A user the plan names hears of this rule's alarms when the plan says, not as a reader of the device.
  const steps = await Promise.all(plan.map(async (step) => ({ ...step, found: await Promise.all(step.users.map((name) => storage.findUserForLogin(name))) })));
  const planned = new Set(steps.flatMap((s) => s.found.flatMap((u) => (u ? [u.id] : []))));
  for (const userId of readers) {
    if (planned.has(userId)) continue;
    const prefs = await prefsOf(userId);
    if (prefs && hears(kind, prefs.escalateAfterS)) out.push({ userId, channels: prefs.channels, afterS: prefs.escalateAfterS });
  }
  for (const [step, { after_s, found, emails }] of steps.entries()) {
    const afterS = after_s > 0 ? after_s : undefined;
    if (!hears(kind, afterS)) continue;
    for (const user of found) {
      if (!user || (user.role !== 'admin' && !readers.has(user.id))) continue;
      const prefs = await prefsOf(user.id);
      if (prefs) out.push({ userId: user.id, channels: prefs.channels, afterS, step });
    }
    for (const address of emails) out.push({ userId: null, channels: { email: { address } }, afterS, step });
  }
  return out;
}

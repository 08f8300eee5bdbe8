// The audit trail: who did what to which user, device, key or session. Services record here
// (never routes), so every transport that reaches a use-case is audited the same way.
import type { AuditEntry, AuditFilter, AuditTarget } from '../domain/accounts.ts';
import type { Storage } from '../storage/storage.ts';

export interface Actor {
  userId: string;
  username: string;
}

export class AuditLog {
  constructor(private readonly storage: Storage) {}

  async record(actor: Actor | null, action: string, targetType: AuditTarget, targetId: string | null, details: Record<string, unknown> = {}): Promise<void> {
    await this.storage.appendAudit({
      at: Date.now(),
      actorId: actor?.userId ?? null,
      actorName: actor?.username ?? null,
      action,
      targetType,
      targetId,
      details,
    });
  }

  list(filter: AuditFilter): Promise<AuditEntry[]> {
    return this.storage.listAudit(filter);
  }
}

// Appends a row to the workspace's audit log. Called inside the same transaction as the change it
// records, so the log never claims a change that was rolled back.
import type { DbOrTx } from '@/db/client';
import { auditLog } from '@/db/schema';

export interface AuditEntry {
  workspaceId: string;
  actorUserId: string | null;
  action: string;
  targetType: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

export async function recordAudit(db: DbOrTx, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    workspaceId: entry.workspaceId,
    actorUserId: entry.actorUserId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    details: entry.details ?? {},
  });
}

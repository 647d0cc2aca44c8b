// Workspace secrets: names are listed, values are only ever written (encrypted) and decrypted for
// the engine when a run needs them. Every query is scoped by workspace id.
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { workspaceSecrets } from '@/db/schema';
import { decryptSecret, encryptSecret } from '@/server/crypto/secret-box';
import { notFound } from '@/server/errors';
import { recordAudit } from './audit';

export const SECRET_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;

export function listSecretNames(db: Db, workspaceId: string) {
  return db
    .select({ name: workspaceSecrets.name, updatedAt: workspaceSecrets.updatedAt })
    .from(workspaceSecrets)
    .where(eq(workspaceSecrets.workspaceId, workspaceId))
    .orderBy(asc(workspaceSecrets.name));
}

/** Creates or replaces a secret's value. */
export async function setSecret(
  db: Db,
  appSecret: string,
  actorId: string,
  workspaceId: string,
  input: { name: string; value: string },
) {
  const valueEncrypted = encryptSecret(appSecret, 'workspace-secrets', input.value);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(workspaceSecrets)
      .values({ workspaceId, name: input.name, valueEncrypted, createdBy: actorId })
      .onConflictDoUpdate({
        target: [workspaceSecrets.workspaceId, workspaceSecrets.name],
        set: { valueEncrypted, updatedAt: sql`now()` },
      })
      .returning({ name: workspaceSecrets.name, updatedAt: workspaceSecrets.updatedAt });
    await recordAudit(tx, {
      workspaceId,
      actorUserId: actorId,
      action: 'secret.set',
      targetType: 'secret',
      targetId: input.name,
    });
    return row;
  });
}

export async function deleteSecret(db: Db, actorId: string, workspaceId: string, name: string) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .delete(workspaceSecrets)
      .where(and(eq(workspaceSecrets.workspaceId, workspaceId), eq(workspaceSecrets.name, name)))
      .returning({ name: workspaceSecrets.name });
    if (!row) throw notFound('Secret');
    await recordAudit(tx, {
      workspaceId,
      actorUserId: actorId,
      action: 'secret.delete',
      targetType: 'secret',
      targetId: name,
    });
    return row;
  });
}

/** Every secret of the workspace, decrypted: for the engine only, never for an API response. */
export async function loadSecretValues(
  db: Db,
  appSecret: string,
  workspaceId: string,
): Promise<Record<string, string>> {
  const rows = await db
    .select({ name: workspaceSecrets.name, valueEncrypted: workspaceSecrets.valueEncrypted })
    .from(workspaceSecrets)
    .where(eq(workspaceSecrets.workspaceId, workspaceId));
  return Object.fromEntries(
    rows.map((r) => [r.name, decryptSecret(appSecret, 'workspace-secrets', r.valueEncrypted)]),
  );
}

// Workspaces, their members and invitations. Every function that touches a workspace's rows takes
// the workspace id and scopes its queries by it; role checks happen in the procedure ladder, and
// the rules that depend on data (the last owner stays) live here.
import { and, asc, count, eq, gt, isNull } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '@/db/client';
import { invitations, memberships, users, workspaces } from '@/db/schema';
import { hashToken, newToken } from '@/server/auth/tokens';
import { badInput, conflict, DomainError, notFound } from '@/server/errors';
import { recordAudit } from './audit';
import type { Role } from './roles';

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export async function createWorkspaceInTx(tx: DbOrTx, userId: string, name: string) {
  const [workspace] = await tx.insert(workspaces).values({ name }).returning();
  if (!workspace) throw new Error('workspace insert returned nothing');
  await tx.insert(memberships).values({ workspaceId: workspace.id, userId, role: 'owner' });
  await recordAudit(tx, {
    workspaceId: workspace.id,
    actorUserId: userId,
    action: 'workspace.create',
    targetType: 'workspace',
    targetId: workspace.id,
  });
  return workspace;
}

export function createWorkspace(db: Db, userId: string, name: string) {
  return db.transaction((tx) => createWorkspaceInTx(tx, userId, name.trim()));
}

export function listWorkspacesForUser(db: Db, userId: string) {
  return db
    .select({ id: workspaces.id, name: workspaces.name, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(workspaces.createdAt));
}

export async function roleInWorkspace(db: DbOrTx, workspaceId: string, userId: string): Promise<Role | null> {
  const [row] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
  return row?.role ?? null;
}

export async function getWorkspace(db: Db, workspaceId: string) {
  const [row] = await db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
  if (!row) throw notFound('Workspace');
  return row;
}

export async function renameWorkspace(db: Db, actorId: string, workspaceId: string, name: string) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(workspaces)
      .set({ name: name.trim() })
      .where(eq(workspaces.id, workspaceId))
      .returning();
    if (!row) throw notFound('Workspace');
    await recordAudit(tx, {
      workspaceId,
      actorUserId: actorId,
      action: 'workspace.rename',
      targetType: 'workspace',
      targetId: workspaceId,
      details: { name: row.name },
    });
    return row;
  });
}

export function listMembers(db: Db, workspaceId: string) {
  return db
    .select({
      userId: users.id,
      email: users.email,
      name: users.name,
      role: memberships.role,
      joinedAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.workspaceId, workspaceId))
    .orderBy(asc(memberships.createdAt));
}

async function ownerCount(tx: Tx, workspaceId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, 'owner')));
  return row?.n ?? 0;
}

export async function changeMemberRole(
  db: Db,
  actorId: string,
  workspaceId: string,
  userId: string,
  role: Role,
) {
  return db.transaction(async (tx) => {
    const current = await roleInWorkspace(tx, workspaceId, userId);
    if (!current) throw notFound('Member');
    if (current === 'owner' && role !== 'owner' && (await ownerCount(tx, workspaceId)) <= 1)
      throw conflict('A workspace needs at least one owner; make someone else owner first');
    await tx
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
    await recordAudit(tx, {
      workspaceId,
      actorUserId: actorId,
      action: 'member.role_change',
      targetType: 'user',
      targetId: userId,
      details: { from: current, to: role },
    });
    return { userId, role };
  });
}

export async function removeMember(db: Db, actorId: string, workspaceId: string, userId: string) {
  return db.transaction(async (tx) => {
    const current = await roleInWorkspace(tx, workspaceId, userId);
    if (!current) throw notFound('Member');
    if (current === 'owner' && (await ownerCount(tx, workspaceId)) <= 1)
      throw conflict('The last owner cannot be removed');
    await tx
      .delete(memberships)
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
    await recordAudit(tx, {
      workspaceId,
      actorUserId: actorId,
      action: 'member.remove',
      targetType: 'user',
      targetId: userId,
    });
    return { userId };
  });
}

export async function createInvitation(
  db: Db,
  actorId: string,
  workspaceId: string,
  input: { role: Role; email?: string },
) {
  const token = newToken();
  const invitation = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(invitations)
      .values({
        workspaceId,
        tokenHash: hashToken(token),
        role: input.role,
        email: input.email?.trim().toLowerCase() || null,
        invitedBy: actorId,
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
      })
      .returning();
    if (!row) throw new Error('invitation insert returned nothing');
    await recordAudit(tx, {
      workspaceId,
      actorUserId: actorId,
      action: 'invitation.create',
      targetType: 'invitation',
      targetId: row.id,
      details: { role: input.role },
    });
    return row;
  });
  return { token, invitation: publicInvitation(invitation) };
}

function publicInvitation(row: typeof invitations.$inferSelect) {
  return {
    id: row.id,
    role: row.role,
    email: row.email,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
  };
}

export async function listPendingInvitations(db: Db, workspaceId: string) {
  const rows = await db
    .select()
    .from(invitations)
    .where(
      and(
        eq(invitations.workspaceId, workspaceId),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, new Date()),
      ),
    )
    .orderBy(asc(invitations.createdAt));
  return rows.map(publicInvitation);
}

export async function revokeInvitation(db: Db, actorId: string, workspaceId: string, invitationId: string) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(invitations)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(invitations.id, invitationId),
          eq(invitations.workspaceId, workspaceId),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
        ),
      )
      .returning();
    if (!row) throw notFound('Invitation');
    await recordAudit(tx, {
      workspaceId,
      actorUserId: actorId,
      action: 'invitation.revoke',
      targetType: 'invitation',
      targetId: invitationId,
    });
    return { id: invitationId };
  });
}

async function usableInvitation(db: DbOrTx, token: string) {
  const [row] = await db
    .select({ invitation: invitations, workspaceName: workspaces.name, inviterName: users.name })
    .from(invitations)
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .innerJoin(users, eq(users.id, invitations.invitedBy))
    .where(eq(invitations.tokenHash, hashToken(token)));
  if (!row || row.invitation.revokedAt) throw notFound('Invitation');
  if (row.invitation.acceptedAt) throw conflict('This invitation has already been used');
  if (row.invitation.expiresAt.getTime() <= Date.now())
    throw new DomainError('BAD_REQUEST', 'inviteToken: This invitation has expired', 'inviteToken');
  return row;
}

/** What the invitation page shows before the visitor accepts. */
export async function previewInvitation(db: Db, token: string) {
  const row = await usableInvitation(db, token);
  return {
    workspaceName: row.workspaceName,
    inviterName: row.inviterName,
    role: row.invitation.role,
    email: row.invitation.email,
  };
}

/** Adds the user to the invitation's workspace; returns the workspace id. */
export async function acceptInvitationInTx(tx: Tx, userId: string, token: string): Promise<string> {
  const { invitation } = await usableInvitation(tx, token);
  if (invitation.email) {
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
    if (user?.email !== invitation.email)
      throw badInput('inviteToken', `This invitation is for ${invitation.email}`);
  }
  const existing = await roleInWorkspace(tx, invitation.workspaceId, userId);
  if (!existing)
    await tx
      .insert(memberships)
      .values({ workspaceId: invitation.workspaceId, userId, role: invitation.role });
  await tx
    .update(invitations)
    .set({ acceptedAt: new Date(), acceptedBy: userId })
    .where(eq(invitations.id, invitation.id));
  await recordAudit(tx, {
    workspaceId: invitation.workspaceId,
    actorUserId: userId,
    action: 'invitation.accept',
    targetType: 'invitation',
    targetId: invitation.id,
    details: { role: invitation.role, alreadyMember: Boolean(existing) },
  });
  return invitation.workspaceId;
}

export function acceptInvitation(db: Db, userId: string, token: string) {
  return db.transaction((tx) => acceptInvitationInTx(tx, userId, token));
}

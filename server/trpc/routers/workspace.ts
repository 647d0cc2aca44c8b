// Workspaces: the caller's list, creation, settings, members, roles and invitations.
import { z } from 'zod';
import { ROLES } from '@/server/services/roles';
import * as workspaces from '@/server/services/workspace-service';
import { authedProcedure, ownerProcedure, router, viewerProcedure } from '../init';

const role = z.enum(ROLES);
const workspaceName = z.string().trim().min(1, 'is required').max(100);

export const workspaceRouter = router({
  list: authedProcedure
    .input(z.object({}).optional())
    .query(({ ctx }) => workspaces.listWorkspacesForUser(ctx.db, ctx.user.id)),

  create: authedProcedure
    .input(z.object({ name: workspaceName }))
    .mutation(({ ctx, input }) => workspaces.createWorkspace(ctx.db, ctx.user.id, input.name)),

  get: viewerProcedure.query(async ({ ctx }) => ({
    ...(await workspaces.getWorkspace(ctx.db, ctx.workspaceId)),
    role: ctx.role,
  })),

  rename: ownerProcedure
    .input(z.object({ name: workspaceName }))
    .mutation(({ ctx, input }) =>
      workspaces.renameWorkspace(ctx.db, ctx.user.id, ctx.workspaceId, input.name),
    ),

  members: viewerProcedure.query(({ ctx }) => workspaces.listMembers(ctx.db, ctx.workspaceId)),

  changeRole: ownerProcedure
    .input(z.object({ userId: z.uuid(), role }))
    .mutation(({ ctx, input }) =>
      workspaces.changeMemberRole(ctx.db, ctx.user.id, ctx.workspaceId, input.userId, input.role),
    ),

  removeMember: ownerProcedure
    .input(z.object({ userId: z.uuid() }))
    .mutation(({ ctx, input }) =>
      workspaces.removeMember(ctx.db, ctx.user.id, ctx.workspaceId, input.userId),
    ),

  invitations: ownerProcedure.query(({ ctx }) => workspaces.listPendingInvitations(ctx.db, ctx.workspaceId)),

  invite: ownerProcedure
    .input(z.object({ role, email: z.email('must be a valid e-mail address').optional() }))
    .mutation(({ ctx, input }) => workspaces.createInvitation(ctx.db, ctx.user.id, ctx.workspaceId, input)),

  revokeInvitation: ownerProcedure
    .input(z.object({ invitationId: z.uuid() }))
    .mutation(({ ctx, input }) =>
      workspaces.revokeInvitation(ctx.db, ctx.user.id, ctx.workspaceId, input.invitationId),
    ),
});

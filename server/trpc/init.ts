// The procedure ladder every router builds on:
//   publicProcedure → authedProcedure (signed in) → workspaceProcedure (member; role in context)
//   → viewer / reviewer / editor / owner procedures (minimum role).
// Domain errors thrown by services are translated to tRPC codes here, once.
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { z } from 'zod';
import { DomainError } from '@/server/errors';
import { type Role, roleAtLeast } from '@/server/services/roles';
import { roleInWorkspace } from '@/server/services/workspace-service';
import type { Context } from './context';

interface IssueLike {
  path?: readonly (PropertyKey | { key: PropertyKey })[];
  message: string;
}

function issuePath(issue: IssueLike): string {
  return (issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.');
}

function inputIssues(cause: unknown): { path: string; message: string }[] | undefined {
  if (!cause || typeof cause !== 'object' || !('issues' in cause)) return undefined;
  const issues = (cause as { issues: unknown }).issues;
  if (!Array.isArray(issues)) return undefined;
  return (issues as IssueLike[]).map((i) => ({ path: issuePath(i), message: i.message }));
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const issues = error.code === 'BAD_REQUEST' ? inputIssues(error.cause) : undefined;
    const field = error.cause instanceof DomainError ? error.cause.field : issues?.[0]?.path || undefined;
    return {
      ...shape,
      message: issues
        ? issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')
        : shape.message,
      data: {
        ...shape.data,
        field: field ?? null,
        issues: issues ?? null,
        problems: error.cause instanceof DomainError ? (error.cause.problems ?? null) : null,
        stack: undefined,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

const translateDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: cause.code, message: cause.message, cause });
  }
  return result;
});

export const publicProcedure = t.procedure.use(translateDomainErrors);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first' });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

export const workspaceProcedure = authedProcedure
  .input(z.object({ workspaceId: z.uuid() }))
  .use(async ({ ctx, input, next }) => {
    const role = await roleInWorkspace(ctx.db, input.workspaceId, ctx.user.id);
    // Not a member looks the same as not existing, so ids of other workspaces reveal nothing.
    if (!role) throw new TRPCError({ code: 'NOT_FOUND', message: 'Workspace not found' });
    return next({ ctx: { ...ctx, workspaceId: input.workspaceId, role } });
  });

function withRole(minimum: Role) {
  return workspaceProcedure.use(({ ctx, next }) => {
    if (!roleAtLeast(ctx.role, minimum))
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: `This needs the ${minimum} role or higher; you are ${ctx.role}`,
      });
    return next();
  });
}

export const viewerProcedure = withRole('viewer');
export const reviewerProcedure = withRole('reviewer');
export const editorProcedure = withRole('editor');
export const ownerProcedure = withRole('owner');

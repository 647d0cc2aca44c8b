// Sign-up, sign-in, sign-out, the current user, and invitation links.
import { z } from 'zod';
import { clearSessionCookieHeader, sessionCookieHeader } from '@/server/auth/session-cookie';
import * as auth from '@/server/services/auth-service';
import * as workspaces from '@/server/services/workspace-service';
import type { Context } from '../context';
import { authedProcedure, publicProcedure, router } from '../init';

const email = z.email('must be a valid e-mail address').max(254);

function setSession(ctx: Context, session: { token: string; expiresAt: Date }) {
  ctx.resHeaders.append(
    'set-cookie',
    sessionCookieHeader(session.token, { secure: ctx.secureCookies, expires: session.expiresAt }),
  );
}

export const authRouter = router({
  me: publicProcedure.query(async ({ ctx }) => {
    if (!ctx.user) return null;
    return { user: ctx.user, workspaces: await workspaces.listWorkspacesForUser(ctx.db, ctx.user.id) };
  }),

  signUp: publicProcedure
    .input(
      z.object({
        email,
        password: z.string().max(256),
        name: z.string().trim().max(100).default(''),
        inviteToken: z.string().min(1).max(200).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const session = await auth.signUp(ctx.db, input);
      setSession(ctx, session);
      return { user: session.user, workspaceId: session.workspaceId };
    }),

  signIn: publicProcedure
    .input(z.object({ email, password: z.string().min(1, 'is required').max(256) }))
    .mutation(async ({ ctx, input }) => {
      const session = await auth.signIn(ctx.db, input);
      setSession(ctx, session);
      return { user: session.user };
    }),

  signOut: publicProcedure.input(z.object({}).optional()).mutation(async ({ ctx }) => {
    if (ctx.sessionToken) await auth.signOut(ctx.db, ctx.sessionToken);
    ctx.resHeaders.append('set-cookie', clearSessionCookieHeader(ctx.secureCookies));
    return { ok: true };
  }),

  invitation: publicProcedure
    .input(z.object({ token: z.string().min(1).max(200) }))
    .query(({ ctx, input }) => workspaces.previewInvitation(ctx.db, input.token)),

  acceptInvitation: authedProcedure
    .input(z.object({ token: z.string().min(1).max(200) }))
    .mutation(async ({ ctx, input }) => ({
      workspaceId: await workspaces.acceptInvitation(ctx.db, ctx.user.id, input.token),
    })),
});

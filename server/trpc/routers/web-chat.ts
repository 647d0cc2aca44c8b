// An app's public web chat (/chat/<token> and the /embed.js bubble): editors see it, enable it
// (creating its public token), disable it, rotate the token and set the allowed origins.
import { z } from 'zod';
import * as webChat from '@/server/services/web-chat-service';
import { editorProcedure, router } from '../init';

const appId = z.object({ appId: z.uuid() });

export const webChatRouter = router({
  get: editorProcedure
    .input(appId)
    .query(({ ctx, input }) => webChat.getWebChat(ctx.db, ctx.workspaceId, input.appId)),

  enable: editorProcedure
    .input(appId)
    .mutation(({ ctx, input }) => webChat.enableWebChat(ctx.db, ctx.user.id, ctx.workspaceId, input.appId)),

  disable: editorProcedure
    .input(appId)
    .mutation(({ ctx, input }) => webChat.disableWebChat(ctx.db, ctx.user.id, ctx.workspaceId, input.appId)),

  rotateToken: editorProcedure
    .input(appId)
    .mutation(({ ctx, input }) =>
      webChat.rotateWebChatToken(ctx.db, ctx.user.id, ctx.workspaceId, input.appId),
    ),

  setAllowedOrigins: editorProcedure
    .input(appId.extend({ allowedOrigins: z.array(z.string().max(300)).max(webChat.MAX_ALLOWED_ORIGINS) }))
    .mutation(({ ctx, input }) =>
      webChat.setAllowedOrigins(ctx.db, ctx.user.id, ctx.workspaceId, input.appId, input.allowedOrigins),
    ),
});

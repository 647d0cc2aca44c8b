// API keys of an app's published API: editors list, create (the token is returned once) and revoke.
import { z } from 'zod';
import * as apiKeys from '@/server/services/api-key-service';
import { editorProcedure, router } from '../init';

const appId = z.object({ appId: z.uuid() });

export const apiKeysRouter = router({
  list: editorProcedure
    .input(appId)
    .query(({ ctx, input }) => apiKeys.listApiKeys(ctx.db, ctx.workspaceId, input.appId)),

  create: editorProcedure
    .input(
      appId.extend({
        name: z.string().trim().min(1, 'is required').max(apiKeys.API_KEY_NAME_MAX),
      }),
    )
    .mutation(({ ctx, input }) =>
      apiKeys.createApiKey(ctx.db, ctx.user.id, ctx.workspaceId, input.appId, input.name),
    ),

  revoke: editorProcedure
    .input(appId.extend({ keyId: z.uuid() }))
    .mutation(({ ctx, input }) =>
      apiKeys.revokeApiKey(ctx.db, ctx.user.id, ctx.workspaceId, input.appId, input.keyId),
    ),
});

// Workspace secrets: editors see the names (to reference them); owners set and delete values.
import { z } from 'zod';
import { config } from '@/server/config';
import * as secrets from '@/server/services/secret-service';
import { editorProcedure, ownerProcedure, router } from '../init';

const name = z
  .string()
  .regex(secrets.SECRET_NAME, 'must be UPPER_SNAKE_CASE, starting with a letter (e.g. API_TOKEN)');

export const secretsRouter = router({
  list: editorProcedure.query(({ ctx }) => secrets.listSecretNames(ctx.db, ctx.workspaceId)),

  set: ownerProcedure
    .input(z.object({ name, value: z.string().min(1, 'is required').max(10_000) }))
    .mutation(({ ctx, input }) =>
      secrets.setSecret(ctx.db, config().APP_SECRET, ctx.user.id, ctx.workspaceId, input),
    ),

  delete: ownerProcedure
    .input(z.object({ name }))
    .mutation(({ ctx, input }) => secrets.deleteSecret(ctx.db, ctx.user.id, ctx.workspaceId, input.name)),
});

// Model providers: editors see them (without keys) to pick one; owners add, change, test and remove.
import { z } from 'zod';
import { config } from '@/server/config';
import * as providers from '@/server/services/provider-service';
import { editorProcedure, ownerProcedure, router } from '../init';

const prices = z.record(
  z.string().min(1),
  z.object({ input: z.number().min(0).max(1_000_000), output: z.number().min(0).max(1_000_000) }),
);

const providerFields = z.object({
  name: z.string().trim().min(1, 'is required').max(100),
  baseUrl: z.url('must be an http(s) URL').nullish(),
  defaultModel: z.string().trim().max(200).nullish(),
  prices: prices.optional(),
  isDefault: z.boolean().optional(),
});

export const providersRouter = router({
  list: editorProcedure.query(({ ctx }) => providers.listProviders(ctx.db, ctx.workspaceId)),

  create: ownerProcedure
    .input(providerFields.extend({ apiKey: z.string().min(1, 'is required').max(4000) }))
    .mutation(({ ctx, input }) =>
      providers.saveProvider(ctx.db, config().APP_SECRET, ctx.user.id, ctx.workspaceId, input),
    ),

  update: ownerProcedure
    .input(providerFields.extend({ providerId: z.uuid(), apiKey: z.string().min(1).max(4000).optional() }))
    .mutation(({ ctx, input: { providerId, ...fields } }) =>
      providers.saveProvider(ctx.db, config().APP_SECRET, ctx.user.id, ctx.workspaceId, {
        ...fields,
        id: providerId,
      }),
    ),

  delete: ownerProcedure
    .input(z.object({ providerId: z.uuid() }))
    .mutation(({ ctx, input }) =>
      providers.deleteProvider(ctx.db, ctx.user.id, ctx.workspaceId, input.providerId),
    ),

  testConnection: ownerProcedure
    .input(z.object({ providerId: z.uuid() }))
    .mutation(({ ctx, input }) =>
      providers.testProvider(ctx.db, config(), ctx.workspaceId, input.providerId),
    ),
});

// Apps and their versions: list, create, rename, delete, duplicate, draft, publish, restore.
import { z } from 'zod';
import * as apps from '@/server/services/app-service';
import { definitionSchema } from '@/workflows/dsl/definition';
import { editorProcedure, router, viewerProcedure } from '../init';

const appId = z.object({ appId: z.uuid() });
const name = z.string().trim().min(1, 'is required').max(100);
const icon = z.string().trim().min(1).max(16);
const description = z.string().max(2000);

export const appsRouter = router({
  list: viewerProcedure
    .input(z.object({ search: z.string().max(100).optional() }))
    .query(({ ctx, input }) => apps.listApps(ctx.db, ctx.workspaceId, input)),

  get: viewerProcedure
    .input(appId)
    .query(({ ctx, input }) => apps.getApp(ctx.db, ctx.workspaceId, input.appId)),

  create: editorProcedure
    .input(
      z.object({
        name,
        kind: z.enum(['chat', 'workflow']),
        icon: icon.optional(),
        description: description.optional(),
      }),
    )
    .mutation(({ ctx, input }) => apps.createApp(ctx.db, ctx.user.id, ctx.workspaceId, input)),

  update: editorProcedure
    .input(
      appId.extend({ name: name.optional(), icon: icon.optional(), description: description.optional() }),
    )
    .mutation(({ ctx, input: { appId, ...changes } }) =>
      apps.updateApp(ctx.db, ctx.user.id, ctx.workspaceId, appId, changes),
    ),

  delete: editorProcedure
    .input(appId)
    .mutation(({ ctx, input }) => apps.deleteApp(ctx.db, ctx.user.id, ctx.workspaceId, input.appId)),

  duplicate: editorProcedure
    .input(appId)
    .mutation(({ ctx, input }) => apps.duplicateApp(ctx.db, ctx.user.id, ctx.workspaceId, input.appId)),

  getDraft: viewerProcedure
    .input(appId)
    .query(({ ctx, input }) => apps.getDraft(ctx.db, ctx.workspaceId, input.appId)),

  saveDraft: editorProcedure
    .input(appId.extend({ definition: definitionSchema, baseRevision: z.number().int().min(1) }))
    .mutation(({ ctx, input: { appId, ...draft } }) =>
      apps.saveDraft(ctx.db, ctx.user.id, ctx.workspaceId, appId, draft),
    ),

  publish: editorProcedure
    .input(appId.extend({ note: z.string().max(500).optional() }))
    .mutation(({ ctx, input: { appId, note } }) =>
      apps.publishDraft(ctx.db, ctx.user.id, ctx.workspaceId, appId, { note }),
    ),

  versions: viewerProcedure
    .input(appId)
    .query(({ ctx, input }) => apps.listVersions(ctx.db, ctx.workspaceId, input.appId)),

  getVersion: viewerProcedure
    .input(appId.extend({ versionId: z.uuid() }))
    .query(({ ctx, input }) => apps.getVersion(ctx.db, ctx.workspaceId, input.appId, input.versionId)),

  restoreVersion: editorProcedure
    .input(appId.extend({ versionId: z.uuid() }))
    .mutation(({ ctx, input }) =>
      apps.restoreVersion(ctx.db, ctx.user.id, ctx.workspaceId, input.appId, input.versionId),
    ),
});

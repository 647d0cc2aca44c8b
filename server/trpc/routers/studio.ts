// The studio's workflow-editor API: the node palette, live inspection of a draft, templates,
// import / export of Weft files, and what a published version changed.
import { z } from 'zod';
import * as transfer from '@/server/services/app-transfer-service';
import { inspectDefinition, listNodeTypes } from '@/server/services/definition-service';
import { createAppFromTemplate, listTemplates } from '@/server/services/template-service';
import { authedProcedure, editorProcedure, router, viewerProcedure } from '../init';

/** Largest file importApp accepts, in bytes of UTF-8. */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;

const format = z.enum(['json', 'yaml']);
const name = z.string().trim().min(1, 'is required').max(100);

export const studioRouter = router({
  // The palette is the same for everyone: no workspace involved.
  nodeTypes: authedProcedure.query(() => listNodeTypes()),

  // A query, so the canvas can cache and refetch it. Its input is a whole draft: the client must
  // send large ones by POST (tRPC's methodOverride), as a GET URL is limited to a few kilobytes.
  inspect: viewerProcedure
    .input(z.object({ definition: z.unknown() }))
    .query(({ input }) => inspectDefinition(input.definition)),

  templates: viewerProcedure.query(() => listTemplates()),

  createFromTemplate: editorProcedure
    .input(z.object({ templateId: z.string().min(1).max(100), name: name.optional() }))
    .mutation(({ ctx, input }) =>
      createAppFromTemplate(ctx.db, ctx.user.id, ctx.workspaceId, input.templateId, input.name),
    ),

  exportApp: viewerProcedure
    .input(z.object({ appId: z.uuid(), versionId: z.uuid().optional(), format }))
    .query(({ ctx, input }) => transfer.exportApp(ctx.db, ctx.workspaceId, input)),

  importApp: editorProcedure
    .input(
      z.object({
        content: z
          .string()
          // Cheap bound first (a UTF-16 unit is at least one byte), then the exact UTF-8 size.
          .max(MAX_IMPORT_BYTES, 'must be at most 2 MB')
          .refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_IMPORT_BYTES, 'must be at most 2 MB'),
        format: format.optional(),
        name: name.optional(),
      }),
    )
    .mutation(({ ctx, input }) => transfer.importApp(ctx.db, ctx.user.id, ctx.workspaceId, input)),

  versionChanges: viewerProcedure
    .input(z.object({ appId: z.uuid(), versionId: z.uuid() }))
    .query(({ ctx, input }) =>
      transfer.versionChanges(ctx.db, ctx.workspaceId, input.appId, input.versionId),
    ),
});

// Workflow runs: start (draft or a published version), read, list, cancel, signal.
import { z } from 'zod';
import * as runsService from '@/server/services/run-service';
import { editorProcedure, reviewerProcedure, router, viewerProcedure } from '../init';

const runStatus = z.enum([
  'queued',
  'running',
  'paused',
  'succeeded',
  'partially_succeeded',
  'failed',
  'cancelled',
]);
const runId = z.object({ runId: z.uuid() });

export const runsRouter = router({
  start: editorProcedure
    .input(
      z.object({
        appId: z.uuid(),
        versionId: z.uuid().optional(),
        inputs: z.record(z.string(), z.unknown()).default({}),
      }),
    )
    .mutation(({ ctx, input }) =>
      runsService.startRun(ctx.db, ctx.engine, ctx.user.id, ctx.workspaceId, {
        appId: input.appId,
        source: input.versionId ? { kind: 'version', versionId: input.versionId } : { kind: 'draft' },
        inputs: input.inputs,
      }),
    ),

  get: viewerProcedure
    .input(runId)
    .query(({ ctx, input }) => runsService.getRun(ctx.db, ctx.workspaceId, input.runId)),

  list: viewerProcedure
    .input(
      z.object({
        appId: z.uuid(),
        statuses: z.array(runStatus).optional(),
        cursor: z.object({ createdAt: z.date(), id: z.uuid() }).optional(),
        limit: z.number().int().min(1).max(100).default(20),
      }),
    )
    .query(({ ctx, input }) => runsService.listRuns(ctx.db, ctx.workspaceId, input)),

  cancel: editorProcedure
    .input(runId)
    .mutation(({ ctx, input }) => runsService.cancelRun(ctx.engine, ctx.workspaceId, input.runId)),

  signal: reviewerProcedure
    .input(runId.extend({ name: z.string().min(1).max(300), payload: z.unknown() }))
    .mutation(({ ctx, input }) =>
      runsService.signalRun(
        ctx.db,
        ctx.engine,
        { userId: ctx.user.id, role: ctx.role, name: ctx.user.name },
        ctx.workspaceId,
        input,
      ),
    ),
});

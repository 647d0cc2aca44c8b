// The workflow endpoints of /api/v1: run the app's latest published version (blocking: answer with
// the finished run; streaming: Dify's SSE events until workflow_finished), read a run, stop one.
// Runs start through the same run service as the studio's, so inputs are checked the same way; a
// client that disconnects does not stop its run.
import { z } from 'zod';
import type { Db } from '@/db/client';
import { DomainError } from '@/server/errors';
import { cancelRun, startRun } from '@/server/services/run-service';
import type { RunEngine } from '@/workflows/engines/run-engine';
import type { ApiCaller } from './auth';
import { DifyEventTranslator } from './dify-events';
import { ApiError, toApiError } from './errors';
import { latestPublishedVersion } from './published-version';
import { sseResponse } from './sse';
import { loadWorkflowRun, runSequenceNumber } from './workflow-run-data';

const userField = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
  .trim()
  .min(1, 'is required')
  .max(255, 'must be at most 255 characters');

export const runWorkflowBody = z.object({
  inputs: z
    .record(z.string(), z.unknown(), { error: 'must be an object' })
    .nullish()
    .transform((v) => v ?? {}),
  response_mode: z.enum(['blocking', 'streaming'], { error: 'must be blocking or streaming' }),
  user: userField,
  files: z
    .array(z.unknown(), { error: 'must be a list' })
    .max(0, 'file inputs are not supported yet')
    .nullish(),
});

export const stopTaskBody = z.object({ user: userField });

function requireWorkflowApp(caller: ApiCaller) {
  if (caller.app.kind !== 'workflow')
    throw new ApiError(
      400,
      'not_workflow_app',
      'This is a chat app: call POST /chat-messages instead of /workflows/run',
    );
}

/** Starts a run of the published version; input problems become 400s naming the input. */
async function start(db: Db, engine: RunEngine, caller: ApiCaller, inputs: Record<string, unknown>) {
  const version = await latestPublishedVersion(db, caller.app);
  try {
    // No Weft user starts an API run: runs.created_by stays null.
    const { runId } = await startRun(db, engine, null, caller.workspaceId, {
      appId: caller.app.id,
      source: { kind: 'version', versionId: version.id },
      inputs,
    });
    return { runId, version };
  } catch (error) {
    if (error instanceof DomainError && error.code === 'BAD_REQUEST' && error.field === 'definition')
      throw new ApiError(400, 'app_unavailable', `The published app cannot run: ${error.message}`);
    throw error;
  }
}

/**
 * Resolves once the run has finished, or when `signal` aborts. Listens for the engine's notice and
 * re-reads the status now and then (a notice from another process can be lost).
 */
async function waitForRun(db: Db, engine: RunEngine, caller: ApiCaller, runId: string, signal: AbortSignal) {
  const scope = { workspaceId: caller.workspaceId, appId: caller.app.id };
  let wake: () => void = () => {};
  const off = engine.bus.onRunFinished(runId, () => wake());
  const onAbort = () => wake();
  signal.addEventListener('abort', onAbort);
  try {
    for (;;) {
      const run = await loadWorkflowRun(db, scope, runId);
      if (run.status !== 'running' && run.status !== 'paused') return run;
      if (signal.aborted) return run;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2_000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    off();
    signal.removeEventListener('abort', onAbort);
  }
}

export async function runWorkflow(
  req: Request,
  db: Db,
  engine: RunEngine,
  caller: ApiCaller,
  body: z.output<typeof runWorkflowBody>,
): Promise<Response | object> {
  requireWorkflowApp(caller);
  const { runId, version } = await start(db, engine, caller, body.inputs);
  if (body.response_mode === 'blocking') {
    const data = await waitForRun(db, engine, caller, runId, req.signal);
    return { task_id: runId, workflow_run_id: runId, data };
  }
  const scope = { workspaceId: caller.workspaceId, appId: caller.app.id };
  const created = await loadWorkflowRun(db, scope, runId);
  const translator = new DifyEventTranslator({
    runId,
    workflowId: version.id,
    sequenceNumber: await runSequenceNumber(db, caller.app.id, runId),
    createdAt: new Date(created.created_at * 1000),
    inputs: created.inputs,
    definition: version.definition,
  });
  return sseResponse(
    req,
    async (send, signal) => {
      for await (const event of engine.events(runId, 0, signal)) {
        if (event.type === 'run_finished') {
          for (const out of translator.finished(await loadWorkflowRun(db, scope, runId))) send(out);
          return;
        }
        for (const out of translator.translate(event)) send(out);
      }
    },
    (error) => {
      const apiError = toApiError(error);
      if (apiError.status >= 500) console.error(`workflow run ${runId} stream failed:`, error);
      return {
        event: 'error',
        task_id: runId,
        workflow_run_id: runId,
        status: apiError.status,
        code: apiError.code,
        message: apiError.message,
      };
    },
  );
}

export async function getWorkflowRun(db: Db, caller: ApiCaller, runId: string) {
  return loadWorkflowRun(db, { workspaceId: caller.workspaceId, appId: caller.app.id }, runId);
}

/** Stops a run of the caller's app; stopping a finished run succeeds and changes nothing. */
export async function stopWorkflowTask(db: Db, engine: RunEngine, caller: ApiCaller, taskId: string) {
  const run = await loadWorkflowRun(db, { workspaceId: caller.workspaceId, appId: caller.app.id }, taskId);
  if (run.status !== 'running' && run.status !== 'paused') return { result: 'success' };
  try {
    await cancelRun(engine, caller.workspaceId, taskId);
  } catch (error) {
    // It finished between the read and the cancel.
    if (!(error instanceof DomainError && error.code === 'CONFLICT')) throw error;
  }
  return { result: 'success' };
}

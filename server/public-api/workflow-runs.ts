// The workflow endpoints of /api/v1: run the app's latest published version (blocking: answer with
// the finished run; streaming: Dify's SSE events until workflow_finished; async, beyond Dify: 202
// at once, the result optionally POSTed to a signed callback), read a run, re-attach to a run's
// stream, stop one. Runs start through the same run service as the studio's, so inputs are checked
// the same way; a client that disconnects does not stop its run.
//
// Stream event ids: every Dify event of a run's stream carries `id: <n>`, its position (1, 2, …) in
// the run's translated stream. The translation is deterministic (the same stored Weft events in
// seq order give the same Dify events), so re-attaching replays the translator from the start and
// sends only the events after the client's Last-Event-ID: no gaps, no repeats, whichever of the
// Weft events produced several Dify events.
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { appVersions, runs } from '@/db/schema';
import { config } from '@/server/config';
import { DomainError } from '@/server/errors';
import { cancelRun, startRun } from '@/server/services/run-service';
import type { FinishedRun } from '@/workflows/engines/embedded/event-bus';
import type { RunEngine } from '@/workflows/engines/run-engine';
import type { ApiCaller } from './auth';
import { enqueueCallback, processCallbackOutbox } from './callback-outbox';
import { callbackSecret, checkCallbackUrl } from './callbacks';
import { DifyEventTranslator, type RunStreamContext } from './dify-events';
import { ApiError, toApiError } from './errors';
import { pendingHumanInputForms } from './human-input-form';
import { latestPublishedVersion } from './published-version';
import { sseResponse } from './sse';
import { noteRunForUsage } from './usage-recorder';
import {
  type DifyWorkflowRunData,
  finishedRunData,
  loadWorkflowRun,
  runNotFound,
  runSequenceNumber,
} from './workflow-run-data';

const userField = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
  .trim()
  .min(1, 'is required')
  .max(255, 'must be at most 255 characters');

export const runWorkflowBody = z
  .object({
    inputs: z
      .record(z.string(), z.unknown(), { error: 'must be an object' })
      .nullish()
      .transform((v) => v ?? {}),
    response_mode: z.enum(['blocking', 'streaming', 'async'], {
      error: 'must be blocking, streaming or async',
    }),
    user: userField,
    files: z
      .array(z.unknown(), { error: 'must be a list' })
      .max(0, 'file inputs are not supported yet')
      .nullish(),
    /** Async runs only: where the finished run is POSTed (checked against the SSRF guard). */
    callback_url: z
      .string({ error: 'must be a string' })
      .trim()
      .min(1, 'must be an http(s) URL')
      .max(2048, 'must be at most 2048 characters')
      .refine(isHttpUrl, 'must be an http(s) URL')
      .nullish(),
  })
  .superRefine((body, ctx) => {
    if (body.callback_url && body.response_mode !== 'async')
      ctx.addIssue({
        code: 'custom',
        path: ['callback_url'],
        message: 'is only supported with response_mode async',
      });
  });

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

type RunScope = { workspaceId: string; appId: string };
const scopeOf = (caller: ApiCaller): RunScope => ({ workspaceId: caller.workspaceId, appId: caller.app.id });

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
    noteRunForUsage(caller, runId);
    return { runId, version };
  } catch (error) {
    if (error instanceof DomainError && error.code === 'BAD_REQUEST' && error.field === 'definition')
      throw new ApiError(400, 'app_unavailable', `The published app cannot run: ${error.message}`);
    throw error;
  }
}

/**
 * Resolves once the run has finished, or when `signal` aborts. Listens for the engine's notice and
 * re-reads the status now and then (a notice from another process can be lost): every 2 s, or
 * less and less often up to `maxPollMs` for watchers nobody waits on.
 */
async function waitForRun(
  db: Db,
  engine: RunEngine,
  scope: RunScope,
  runId: string,
  signal: AbortSignal,
  maxPollMs = 2_000,
  /**
   * Also return when the run waits for a review: it is paused, or this says a review is pending
   * (a run waits in memory for a moment before it is marked paused).
   */
  reviewPending?: () => Promise<boolean>,
): Promise<DifyWorkflowRunData> {
  let wake: () => void = () => {};
  // Set by a notice that arrives while the status is being read, so it is not slept through.
  let woken = false;
  const notice = () => {
    woken = true;
    wake();
  };
  /** The finished run, when this process finished it (then it need not be read). */
  let finished: FinishedRun | undefined;
  const off = engine.bus.onRunFinished(runId, (_status, run) => {
    finished ??= run;
    notice();
  });
  // A pause is no finish: new events are the notice that one may have happened.
  const offEvents = reviewPending ? engine.bus.onEventsStored(runId, notice) : () => {};
  const onAbort = () => wake();
  signal.addEventListener('abort', onAbort);
  let pollMs = 2_000;
  const pause = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  try {
    // A run this process has not heard finish is still going: its notice (or the first poll) comes
    // before the first read. Not when a review may be pending, which comes with no such notice.
    if (!reviewPending && engine.bus.finishedStatus(runId) === undefined) await pause();
    for (;;) {
      woken = false;
      const run = finishedRunData(scope, runId, finished) ?? (await loadWorkflowRun(db, scope, runId));
      if (run.status !== 'running' && run.status !== 'paused') return run;
      if (reviewPending && (run.status === 'paused' || (await reviewPending()))) return run;
      if (signal.aborted) return run;
      if (woken) continue;
      await pause();
      pollMs = Math.min(maxPollMs, Math.round(pollMs * 1.5));
    }
  } finally {
    off();
    offEvents();
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Stores the run's callback, delivered once the run finishes by this process's outbox (kicked when
 * the run finishes here) or by any other web process's (see callback-outbox.ts).
 */
async function callbackWhenFinished(db: Db, engine: RunEngine, caller: ApiCaller, runId: string, url: URL) {
  await enqueueCallback(db, {
    runId,
    workspaceId: caller.workspaceId,
    apiKeyId: caller.keyId,
    url: url.toString(),
  });
  const outbox = processCallbackOutbox(db);
  const off = engine.bus.onRunFinished(runId, () => {
    off();
    outbox.kick();
  });
  // It may have finished before the listener was in place.
  outbox.kick();
}

/** The callback signing secret of the caller's key (see callbacks.ts for the scheme). */
export function getCallbackSecret(caller: ApiCaller) {
  return {
    secret: callbackSecret(config().APP_SECRET, caller.keyId),
    algorithm: 'HMAC-SHA256',
    header: 'X-Weft-Signature',
    format: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the secret>',
  };
}

/**
 * The run's Dify events as SSE from event number `after` on (0: all of them), each with its number
 * as `id:`, until workflow_finished (or the client leaves).
 */
function streamRun(
  req: Request,
  db: Db,
  engine: RunEngine,
  scope: RunScope,
  context: RunStreamContext,
  after: number,
): Response {
  const { runId } = context;
  const translator = new DifyEventTranslator(context);
  return sseResponse(
    req,
    async (send, signal) => {
      let n = 0;
      const emit = (out: unknown) => {
        n += 1;
        if (n > after) send(out, n);
      };
      // When this process finishes the run, its notice carries the run as stored: no read at the end.
      let finished: FinishedRun | undefined;
      const off = engine.bus.onRunFinished(runId, (_status, run) => {
        finished ??= run;
      });
      try {
        for await (const event of engine.events(runId, 0, signal)) {
          if (event.type === 'run_finished') {
            const data = finishedRunData(scope, runId, finished) ?? (await loadWorkflowRun(db, scope, runId));
            for (const out of translator.finished(data)) emit(out);
            return;
          }
          for (const out of translator.translate(event)) emit(out);
        }
      } finally {
        off();
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

export async function runWorkflow(
  req: Request,
  db: Db,
  engine: RunEngine,
  caller: ApiCaller,
  body: z.output<typeof runWorkflowBody>,
): Promise<Response | object> {
  requireWorkflowApp(caller);
  // Checked before the run starts, so a refused URL leaves no run behind.
  const callbackUrl = body.callback_url ? await checkCallbackUrl(body.callback_url) : null;
  const { runId, version } = await start(db, engine, caller, body.inputs);
  const scope = scopeOf(caller);
  if (body.response_mode === 'async') {
    if (callbackUrl) await callbackWhenFinished(db, engine, caller, runId, callbackUrl);
    const data = await loadWorkflowRun(db, scope, runId);
    return Response.json(
      { task_id: runId, workflow_run_id: runId, data },
      { status: 202, headers: { location: `/api/v1/workflows/run/${runId}` } },
    );
  }
  if (body.response_mode === 'blocking') {
    // Only apps with a review can pause for one; the others need no notice of every event.
    const reviews = version.definition.nodes.some((n) => n.type === 'human-review');
    let forms: Awaited<ReturnType<typeof pendingHumanInputForms>> = [];
    const reviewPending = async () => {
      forms = await pendingHumanInputForms(db, runId);
      return forms.length > 0;
    };
    const data = await waitForRun(
      db,
      engine,
      scope,
      runId,
      req.signal,
      2_000,
      reviews ? reviewPending : undefined,
    );
    if (data.status !== 'paused' && forms.length === 0)
      return { task_id: runId, workflow_run_id: runId, data };
    // Beyond Dify (which refuses blocking calls to apps with human input): answer at the pause
    // with the forms that decide it; poll GET /workflows/run/{id} afterwards.
    if (data.status === 'paused') forms = await pendingHumanInputForms(db, runId);
    return {
      task_id: runId,
      workflow_run_id: runId,
      data: { ...data, status: 'paused' },
      human_input_required: forms,
    };
  }
  const context: RunStreamContext = {
    runId,
    workflowId: version.id,
    sequenceNumber: await runSequenceNumber(db, caller.app.id, runId),
    definition: version.definition,
  };
  return streamRun(req, db, engine, scope, context, 0);
}

/** Where a re-attaching client left off: Last-Event-ID, else `?after=`, else 0 (everything). */
export function resumePoint(req: Request): number {
  const header = req.headers.get('last-event-id');
  const query = new URL(req.url).searchParams.get('after');
  const [name, value] = header !== null ? ['Last-Event-ID', header] : ['after', query];
  if (value === null || value.trim() === '') return 0;
  if (!/^\d{1,9}$/.test(value.trim()))
    throw new ApiError(400, 'invalid_param', `${name}: must be the id of an event (a whole number)`);
  return Number(value.trim());
}

/** GET /workflows/run/{id}/events: the run's stream again, from after the client's last event. */
export async function reattachWorkflowRun(
  req: Request,
  db: Db,
  engine: RunEngine,
  caller: ApiCaller,
  runId: string,
) {
  requireWorkflowApp(caller);
  const after = resumePoint(req);
  const scope = scopeOf(caller);
  const run = await loadWorkflowRun(db, scope, runId);
  const [row] = await db
    .select({ definition: runs.definition, versionDefinition: appVersions.definition })
    .from(runs)
    .leftJoin(appVersions, eq(appVersions.id, runs.appVersionId))
    .where(and(eq(runs.id, runId), eq(runs.workspaceId, scope.workspaceId), eq(runs.appId, scope.appId)));
  if (!row) throw runNotFound();
  const context: RunStreamContext = {
    runId,
    workflowId: run.workflow_id,
    sequenceNumber: await runSequenceNumber(db, caller.app.id, runId),
    // As the original stream: the published version's definition (the run's own copy if it is gone).
    definition: (row.versionDefinition ?? row.definition) as RunStreamContext['definition'],
  };
  return streamRun(req, db, engine, scope, context, after);
}

export async function getWorkflowRun(db: Db, caller: ApiCaller, runId: string) {
  return loadWorkflowRun(db, scopeOf(caller), runId);
}

/** Stops a run of the caller's app; stopping a finished run succeeds and changes nothing. */
export async function stopWorkflowTask(db: Db, engine: RunEngine, caller: ApiCaller, taskId: string) {
  const run = await loadWorkflowRun(db, scopeOf(caller), taskId);
  if (run.status !== 'running' && run.status !== 'paused') return { result: 'success' };
  try {
    await cancelRun(engine, caller.workspaceId, taskId);
  } catch (error) {
    // It finished between the read and the cancel.
    if (!(error instanceof DomainError && error.code === 'CONFLICT')) throw error;
  }
  return { result: 'success' };
}

// Starting, signalling and cancelling runs on Temporal. The run row and its events live in Postgres
// as on the embedded engine; the workflow (id = run id) executes it on whichever worker polls the
// task queue. The web process only needs a client, never a worker.
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { runSignals, runs } from '@/db/schema';
import { referencedSecretNames } from '@/workflows/dsl/references';
import {
  EngineError,
  insertRun,
  requireLiveRun,
  type StartRunInput,
  storeSignal,
} from '@/workflows/engines/embedded/engine';
import type { RunEventBus } from '@/workflows/engines/embedded/event-bus';
import type { Json } from '@/workflows/interpreter/types';
import {
  cancelSignal,
  deliverSignal,
  type TemporalCatalog,
  type TemporalRunInput,
  WORKFLOW_TYPE,
} from './contract';
import { withRunLock, writeNumbered } from './run-lock';

export interface TemporalEngineOptions {
  db: Db;
  bus: RunEventBus;
  client: Client;
  taskQueue: string;
  catalog: TemporalCatalog;
  heartbeatTimeoutMs: number;
  continueAsNewAfterEvents: number;
}

export function createTemporalEngine(opts: TemporalEngineOptions) {
  const { db, bus, client } = opts;

  /** Ends a run whose workflow is gone (e.g. the Temporal cluster was reset). */
  async function endOrphan(
    runId: string,
    workspaceId: string,
    status: 'failed' | 'cancelled',
    message: string,
  ) {
    const error: Json = status === 'failed' ? { message, code: 'engine_error', retryable: false } : null;
    const seq = await withRunLock(db, runId, async (tx, { lastSeq: last }) => {
      const ended = await tx
        .update(runs)
        .set({ status, error, finishedAt: sql`now()` })
        .where(and(eq(runs.id, runId), sql`${runs.status} in ('queued', 'running', 'paused')`))
        .returning({ id: runs.id });
      if (ended.length === 0) return null;
      const finished = { type: 'run_finished', data: { runId, status, outputs: {}, error } };
      return writeNumbered(tx, runId, workspaceId, last, [finished], []);
    });
    if (seq === null) return;
    bus.eventsStored(runId, seq);
    bus.runFinished(runId, status);
  }

  return {
    /** Stores the run, then starts its workflow. `onFinished` is subscribed before it can end. */
    async start(
      input: StartRunInput,
      startOpts: { onFinished?: (status: string) => void } = {},
    ): Promise<{ runId: string }> {
      const { runId } = await insertRun(db, input, 'temporal', () => `'queued', null, null, null, null`);
      const { onFinished } = startOpts;
      if (onFinished) {
        const off = bus.onRunFinished(runId, (status) => {
          off();
          onFinished(status);
        });
      }
      bus.eventsStored(runId, 1);
      const args: TemporalRunInput = {
        runId,
        workspaceId: input.workspaceId,
        definition: input.definition,
        inputs: input.inputs,
        catalog: opts.catalog,
        secretNames: referencedSecretNames(input.definition.nodes.map((n) => n.config)),
        options: {
          heartbeatTimeoutMs: opts.heartbeatTimeoutMs,
          continueAsNewAfterEvents: opts.continueAsNewAfterEvents,
        },
      };
      try {
        await client.workflow.start(WORKFLOW_TYPE, {
          workflowId: runId,
          taskQueue: opts.taskQueue,
          args: [args],
        });
      } catch (error) {
        const message = `Temporal did not accept the run: ${error instanceof Error ? error.message : String(error)}`;
        await endOrphan(runId, input.workspaceId, 'failed', message);
        throw new EngineError('engine_unavailable', message);
      }
      return { runId };
    },

    /** Stores the signal (the first of each name wins), then delivers it to the workflow. */
    async signal(workspaceId: string, runId: string, name: string, payload: Json, createdBy: string | null) {
      const signalId = await storeSignal(db, { workspaceId, runId, name, payload, createdBy });
      try {
        await client.workflow.getHandle(runId).signal(deliverSignal, { name, payload });
      } catch (error) {
        // Not delivered: take the stored signal back so the decision can be made again.
        await db.delete(runSignals).where(eq(runSignals.id, signalId));
        if (error instanceof WorkflowNotFoundError) {
          await endOrphan(runId, workspaceId, 'failed', 'The run is no longer known to Temporal');
          throw new EngineError('run_finished', 'The run has already finished (failed)');
        }
        throw error;
      }
    },

    /** Asks the workflow to cancel; it stops in-flight nodes and stores the cancelled outcome. */
    async cancel(workspaceId: string, runId: string): Promise<{ status: string }> {
      await requireLiveRun(db, workspaceId, runId);
      await db.update(runs).set({ cancelRequested: true }).where(eq(runs.id, runId));
      try {
        await client.workflow.getHandle(runId).signal(cancelSignal);
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        await endOrphan(runId, workspaceId, 'cancelled', '');
        return { status: 'cancelled' };
      }
      return { status: 'cancelling' };
    },
  };
}

export type TemporalEngine = ReturnType<typeof createTemporalEngine>;

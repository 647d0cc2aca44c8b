// The Temporal workflow's activities. They keep Postgres the source of truth for what the studio
// shows: every node attempt stores its step row and events exactly as on the embedded engine, so
// runs.get, runs.list and the event stream cannot tell the engines apart. Each activity is safe to
// retry: a step already stored is returned rather than run again.
import { Context } from '@temporalio/activity';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { runSteps } from '@/db/schema';
import { executeText, SqlText } from '@/db/sql-text';
import { noServices } from '@/workflows/engines/embedded/activities';
import type { RunEventBus } from '@/workflows/engines/embedded/event-bus';
import { runJournaledStep } from '@/workflows/engines/embedded/journaled-step';
import { finalRunColumns, finishingWrites } from '@/workflows/engines/embedded/leases';
import { createRedactor } from '@/workflows/engines/embedded/redact';
import type { EngineNodeSpec } from '@/workflows/engines/embedded/run-executor';
import { RunWriter } from '@/workflows/engines/embedded/run-writer';
import { rowsOf } from '@/workflows/engines/embedded/sql-rows';
import type { Json, StepErrorData } from '@/workflows/interpreter/types';
import type { NodeServices } from '@/workflows/nodes/node-spec';
import type { NodeActivityResult, TemporalActivities } from './contract';
import { lockedBatchStore, unstoredRecordWrites, withRunLock, writeNumbered } from './run-lock';
import { fillSecrets } from './secret-placeholders';

export interface TemporalActivityDeps {
  db: Db;
  bus: RunEventBus;
  catalog: Record<string, EngineNodeSpec>;
  secretsFor?: (workspaceId: string) => Promise<Record<string, string>>;
  servicesFor?: (workspaceId: string) => NodeServices;
}

/** Keeps Temporal told that this worker is alive while a node runs (not for local activities). */
function startHeartbeat(): () => void {
  const context = Context.current();
  const timeoutMs = context.info.heartbeatTimeoutMs;
  if (context.info.isLocal || !timeoutMs) return () => {};
  const timer = setInterval(() => context.heartbeat(), Math.max(200, Math.floor(timeoutMs / 3)));
  return () => clearInterval(timer);
}

export function createTemporalActivities(deps: TemporalActivityDeps): TemporalActivities {
  const { db, bus } = deps;

  async function storedStep(runId: string, stepKey: string): Promise<NodeActivityResult | null> {
    const [row] = await db
      .select({ status: runSteps.status, output: runSteps.output, error: runSteps.error })
      .from(runSteps)
      .where(and(eq(runSteps.runId, runId), eq(runSteps.stepKey, stepKey)));
    if (!row) return null;
    if (row.status === 'succeeded') return { ok: true, output: (row.output ?? null) as Json };
    const error = (row.error as StepErrorData | null) ?? {
      message: 'Step failed',
      code: 'node_error',
      retryable: false,
    };
    return { ok: false, error };
  }

  const activities: TemporalActivities = {
    async beginRun({ runId, workspaceId }) {
      const seq = await withRunLock(db, runId, async (tx, { lastSeq: last }) => {
        const started = await tx.execute(sql`
          update runs set status = 'running', started_at = coalesce(started_at, now())
          where id = ${runId}::uuid and status = 'queued' returning id`);
        if (rowsOf(started).length === 0) return null;
        return writeNumbered(tx, runId, workspaceId, last, [{ type: 'run_started', data: { runId } }], []);
      });
      if (seq !== null) bus.eventsStored(runId, seq);
    },

    async runNode({ runId, workspaceId, stepKey, request, timeoutMs, records }) {
      if (records.length > 0) await activities.storeRecords({ runId, workspaceId, records });
      // A worker that died after storing the step but before reporting it: the step stands.
      const stored = await storedStep(runId, stepKey);
      if (stored) return stored;

      const needsSecrets = JSON.stringify(request.config).includes('[secret:');
      const secrets = (needsSecrets && (await deps.secretsFor?.(workspaceId))) || {};
      const redact = createRedactor(secrets);
      const writer = new RunWriter(
        db,
        bus,
        runId,
        workspaceId,
        0,
        redact,
        lockedBatchStore(db, runId, workspaceId),
      );
      const context = Context.current();
      const stopHeartbeat = startHeartbeat();
      try {
        const result = await runJournaledStep(
          {
            writer,
            env: {
              runId,
              workspaceId,
              catalog: deps.catalog,
              runSignal: context.cancellationSignal,
              services: deps.servicesFor?.(workspaceId) ?? noServices,
            },
            storedInput: request.config,
          },
          stepKey,
          { ...request, config: fillSecrets(request.config, secrets) },
          timeoutMs,
        ).catch((error: unknown) => {
          // Cancelled through Temporal: report it as such rather than as a node failure.
          if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
          throw error;
        });
        await result.stored;
        await writer.idle();
        return redact<NodeActivityResult>(
          result.failure
            ? { ok: false, error: result.failure.toData() }
            : { ok: true, output: result.output },
        );
      } finally {
        stopHeartbeat();
      }
    },

    async storeRecords({ runId, workspaceId, records, paused }) {
      const seq = await withRunLock(db, runId, async (tx, { lastSeq: last, finished }) => {
        if (finished) return null;
        const { events, steps } = await unstoredRecordWrites(tx, runId, records);
        if (paused) {
          const changed = await tx.execute(sql`
            update runs set status = 'paused' where id = ${runId}::uuid and status = 'running' returning id`);
          if (rowsOf(changed).length > 0)
            events.push({ type: 'paused', data: { runId, waitingFor: paused.waitingFor, wakeAt: null } });
        } else if (paused === false) {
          const changed = await tx.execute(sql`
            update runs set status = 'running' where id = ${runId}::uuid and status = 'paused' returning id`);
          if (rowsOf(changed).length > 0)
            events.push({ type: 'run_resumed', data: { runId, from: 'paused' } });
        }
        return writeNumbered(tx, runId, workspaceId, last, events, steps);
      });
      if (seq !== null) bus.eventsStored(runId, seq);
    },

    async finishRun({ runId, workspaceId, records, outcome }) {
      const seq = await withRunLock(db, runId, async (tx, { lastSeq: last, finished }) => {
        // Finished already: this is a retry of an attempt that committed.
        if (finished) return null;
        const { events, steps } = await unstoredRecordWrites(tx, runId, records);
        const run = { id: runId, workspaceId };
        const q = new SqlText();
        const { error, writes } = finishingWrites(q, run, outcome, { events, steps, firstSeq: last + 1 });
        const columns = finalRunColumns(q, runId, outcome, error, steps);
        await executeText(
          tx,
          q.add(`
          with ${writes.join(', ')}
          update runs set ${columns}
          where id = ${q.param(runId)}::uuid and status in ('queued', 'running', 'paused')`),
        );
        return last + events.length + 1;
      });
      if (seq === null) return;
      bus.eventsStored(runId, seq);
      bus.runFinished(runId, outcome.status);
    },
  };
  return activities;
}

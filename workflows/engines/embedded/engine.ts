// The embedded engine's API: start a run, signal it, cancel it, read it and follow its events.
// Runs are rows; any worker sharing the database executes them (see worker.ts).
import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { runEvents, runSignals, runs } from '@/db/schema';
import { executeText, SqlText } from '@/db/sql-text';
import type { WorkflowDefinition } from '@/workflows/dsl/definition';
import type { Json } from '@/workflows/interpreter/types';
import type { RunEventBus } from './event-bus';
import type { EmbeddedWorker } from './worker';

export interface StartRunInput {
  workspaceId: string;
  appId: string;
  appVersionId: string | null;
  versionNumber: number | null;
  definition: WorkflowDefinition;
  inputs: Record<string, Json>;
  createdBy: string | null;
}

export interface RunEvent {
  seq: number;
  type: string;
  nodeId: string | null;
  data: Json;
  createdAt: Date;
}

export class EngineError extends Error {
  constructor(
    readonly code: 'run_not_found' | 'run_finished' | 'signal_exists' | 'engine_unavailable',
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export const FINISHED = ['succeeded', 'partially_succeeded', 'failed', 'cancelled'] as const;

/**
 * Inserts a run and its run_queued event in one statement. `placement` writes (values taken into
 * its SqlText) status, wake_at, lease_owner, lease_expires_at and started_at. The id is made here,
 * so both rows are plain VALUES.
 * Returns the run_queued event as stored; its created_at is the run's (one statement, one now()).
 */
export async function insertRun(
  db: Db,
  input: StartRunInput,
  engine: 'embedded' | 'temporal',
  placement: (q: SqlText) => string,
  runId: string = randomUUID(),
): Promise<{ runId: string; queued: RunEvent }> {
  const data = JSON.stringify({ runId, inputs: input.inputs });
  const q = new SqlText();
  const [id, workspace] = [q.param(runId), q.param(input.workspaceId)];
  q.add(`
    with run as (
      insert into runs (id, workspace_id, app_id, app_version_id, version_number, definition, inputs, created_by,
                        engine, status, wake_at, lease_owner, lease_expires_at, started_at)
      values (${id}::uuid, ${workspace}::uuid, ${q.param(input.appId)}::uuid, ${q.param(input.appVersionId)}::uuid,
              ${q.param(input.versionNumber)}::int, ${q.param(JSON.stringify(input.definition))}::jsonb,
              ${q.param(JSON.stringify(input.inputs))}::jsonb, ${q.param(input.createdBy)}::uuid,
              ${q.param(engine)}::run_engine, ${placement(q)})
    )
    insert into run_events (run_id, seq, workspace_id, type, data)
    values (${id}::uuid, 1, ${workspace}::uuid, 'run_queued', ${q.param(data)}::jsonb)
    returning created_at as at`);
  const at = (await executeText<{ at: string | Date }>(db, q))[0]?.at;
  // As a reader would read it back: data is a copy of what was stored.
  const queued: RunEvent = {
    seq: 1,
    type: 'run_queued',
    nodeId: null,
    data: JSON.parse(data) as Json,
    createdAt: at ? new Date(at) : new Date(),
  };
  return { runId, queued };
}

/**
 * Stores a signal for a live run and returns its id. Only the first signal of each name counts
 * (a review is decided once); a second one is refused.
 */
export async function storeSignal(
  db: Db,
  signal: { workspaceId: string; runId: string; name: string; payload: Json; createdBy: string | null },
): Promise<string> {
  await requireLiveRun(db, signal.workspaceId, signal.runId);
  const [inserted] = await db
    .insert(runSignals)
    .values(signal)
    .onConflictDoNothing()
    .returning({ id: runSignals.id });
  if (!inserted)
    throw new EngineError('signal_exists', `Signal "${signal.name}" was already sent to this run`);
  return inserted.id;
}

/** The run of `workspaceId`, unless it does not exist there or has finished. */
export async function requireLiveRun(db: Db, workspaceId: string, runId: string) {
  const [run] = await db
    .select({ id: runs.id, status: runs.status, engine: runs.engine })
    .from(runs)
    .where(and(eq(runs.id, runId), eq(runs.workspaceId, workspaceId)));
  if (!run) throw new EngineError('run_not_found', 'Run not found');
  if ((FINISHED as readonly string[]).includes(run.status))
    throw new EngineError('run_finished', `The run has already finished (${run.status})`);
  return run;
}

export function createEmbeddedEngine(deps: { db: Db; bus: RunEventBus }) {
  const { db, bus } = deps;
  let localWorker: EmbeddedWorker | null = null;

  return {
    bus,

    /** Lets runs started here go straight to this process's worker when it has room. */
    attachWorker(worker: EmbeddedWorker | null) {
      localWorker = worker;
    },

    /**
     * Queues a run; a worker picks it up at once. The definition and inputs must be validated.
     * `onFinished` is subscribed before the run can start, so it cannot miss the end.
     */
    async start(
      input: StartRunInput,
      opts: { onFinished?: (status: string) => void } = {},
    ): Promise<{ runId: string }> {
      const slot = localWorker?.reserveSlot() ?? null;
      const runId = randomUUID();
      // The run row (leased to the local worker when it has room) and run_queued, in one statement.
      const placement = (q: SqlText) =>
        slot
          ? `'running', null, ${q.param(slot.workerId)}, now() + ${q.param(slot.leaseMs)} * interval '1 millisecond', now()`
          : `'queued', now(), null, null, null`;
      const inserted = insertRun(db, input, 'embedded', placement, runId);
      const { onFinished } = opts;
      const offFinished = onFinished
        ? bus.onRunFinished(runId, (status) => {
            offFinished?.();
            onFinished(status);
          })
        : null;
      // With a slot, the run starts while its row is being inserted: its first model call or HTTP
      // request need not wait for that round trip. The executor holds back everything that needs
      // the row (rowStored) and stops should the insert fail. The slot is always handed over.
      if (slot)
        localWorker?.dispatch({
          id: runId,
          previousStatus: 'queued',
          workspaceId: input.workspaceId,
          definition: input.definition,
          inputs: input.inputs,
          cancelRequested: false,
          rowStored: inserted.then(() => undefined),
        });
      let queued: RunEvent;
      try {
        ({ queued } = await inserted);
      } catch (error) {
        offFinished?.();
        throw error;
      }
      bus.eventsStored(runId, 1, [queued]);
      if (!slot) bus.wake(runId);
      return { runId };
    },

    /** Delivers a named signal (e.g. a review decision) to a run that has not finished. */
    async signal(workspaceId: string, runId: string, name: string, payload: Json, createdBy: string | null) {
      await storeSignal(db, { workspaceId, runId, name, payload, createdBy });
      // Due now if it is waiting unowned; an owning worker hears the wake-up instead.
      await db
        .update(runs)
        .set({ wakeAt: sql`now()` })
        .where(
          and(
            eq(runs.id, runId),
            sql`${runs.leaseOwner} is null`,
            inArray(runs.status, ['paused', 'running']),
          ),
        );
      bus.wake(runId);
    },

    /**
     * Cancels a run. An unowned run (queued, paused, sleeping) ends here and now; one a worker holds
     * is flagged and the worker stops it within moments (it aborts in-flight nodes).
     */
    async cancel(workspaceId: string, runId: string): Promise<{ status: string }> {
      await requireLiveRun(db, workspaceId, runId);
      const ended = await db.transaction(async (tx) => {
        const [run] = await tx
          .update(runs)
          .set({ status: 'cancelled', cancelRequested: true, finishedAt: sql`now()`, wakeAt: null })
          .where(
            and(
              eq(runs.id, runId),
              sql`${runs.leaseOwner} is null`,
              inArray(runs.status, ['queued', 'running', 'paused']),
            ),
          )
          .returning({ id: runs.id });
        if (!run) return null;
        const [last] = await tx
          .select({ seq: sql<number>`coalesce(max(${runEvents.seq}), 0)` })
          .from(runEvents)
          .where(eq(runEvents.runId, runId));
        const seq = Number(last?.seq ?? 0) + 1;
        await tx.insert(runEvents).values({
          runId,
          seq,
          workspaceId,
          type: 'run_finished',
          data: { runId, status: 'cancelled', outputs: {}, error: null },
        });
        return seq;
      });
      if (ended !== null) {
        bus.eventsStored(runId, ended);
        bus.runFinished(runId, 'cancelled');
        return { status: 'cancelled' };
      }
      await db.update(runs).set({ cancelRequested: true }).where(eq(runs.id, runId));
      bus.wake(runId);
      return { status: 'cancelling' };
    },

    /**
     * Stored events after `afterSeq`, then live ones, until the run finishes or `signal` aborts.
     * Events this process has just stored come with their notice and are used as they are when they
     * continue exactly where the reader is; anything else (a notice from another process, a gap, the
     * periodic re-read) reads the table.
     */
    async *events(runId: string, afterSeq: number, signal?: AbortSignal): AsyncGenerator<RunEvent> {
      let last = afterSeq;
      let mustRead = true;
      let delivered: RunEvent[] = [];
      let notify: () => void = () => {};
      const off = bus.onEventsStored(runId, (_seq, events) => {
        if (events && events.length > 0) delivered.push(...events);
        else mustRead = true;
        notify();
      });
      // A run this process is writing: what it wrote so far is still in memory.
      const held = bus.recentEvents(runId, afterSeq);
      if (held) {
        delivered = held;
        mustRead = false;
      }
      const onAbort = () => notify();
      signal?.addEventListener('abort', onAbort);
      try {
        while (!signal?.aborted) {
          if (!mustRead && delivered.length === 0) {
            // A periodic re-read covers notices lost between processes.
            await new Promise<void>((resolve) => {
              const timer = setTimeout(() => {
                mustRead = true;
                resolve();
              }, 2_000);
              notify = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            if (signal?.aborted) break;
          }
          const fresh = delivered.filter((e) => e.seq > last);
          delivered = [];
          let rows: RunEvent[];
          if (!mustRead && fresh.length > 0 && fresh.every((e, i) => e.seq === last + 1 + i)) rows = fresh;
          else if (!mustRead && fresh.length === 0) continue;
          else {
            mustRead = false;
            rows = (
              await db
                .select()
                .from(runEvents)
                .where(and(eq(runEvents.runId, runId), gt(runEvents.seq, last)))
                .orderBy(asc(runEvents.seq))
                .limit(500)
            ).map((row) => ({
              seq: row.seq,
              type: row.type,
              nodeId: row.nodeId,
              data: row.data as Json,
              createdAt: row.createdAt,
            }));
            if (rows.length === 500) mustRead = true;
          }
          for (const row of rows) {
            last = row.seq;
            yield row;
            if (row.type === 'run_finished') return;
          }
        }
      } finally {
        off();
        signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}

export type EmbeddedEngine = ReturnType<typeof createEmbeddedEngine>;

// Drives one claimed run: replays the interpreter against the run's journal (journaled steps return
// their stored result; new ones execute and are journaled), keeps the lease alive, and when every
// remaining branch waits for a signal or a distant timer, hands the run back to the database so a
// paused run holds no memory. Cancellation aborts in-flight activities and every pending wait.
import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { runs } from '@/db/schema';
import type { WorkflowDefinition } from '@/workflows/dsl/definition';
import { internalFailure, runWorkflow } from '@/workflows/interpreter';
import type { Json } from '@/workflows/interpreter/types';
import type { NodeServices } from '@/workflows/nodes/node-spec';
import { noServices, type RunnableSpec } from './activities';
import type { RunEventBus } from './event-bus';
import { ExecutionState } from './execution-state';
import { type JournalState, loadJournal, readSignal } from './journal';
import { createJournalDurable } from './journal-durable';
import { type ClaimedRun, finishRun, renewLease, suspendRun } from './leases';
import { createRedactor } from './redact';
import { RunWriter } from './run-writer';

export interface EngineNodeSpec extends RunnableSpec {
  execution: 'activity' | 'start' | 'loop' | 'delay' | 'human-review';
  branching?: boolean;
  terminal?: boolean;
  pure?: boolean;
}

export interface ExecutorOptions {
  db: Db;
  bus: RunEventBus;
  catalog: Record<string, EngineNodeSpec>;
  workerId: string;
  leaseMs: number;
  /** Waits shorter than this stay in memory; longer ones suspend the run. */
  inMemoryWaitMs: number;
  /** The workspace's secret values for {{secrets.NAME}}; redacted from everything stored. */
  secretsFor?: (workspaceId: string) => Promise<Record<string, string>>;
  /** What node run functions may use beyond their config (model providers). */
  servicesFor?: (workspaceId: string) => NodeServices;
}

export type ExecutionEnd = 'finished' | 'suspended' | 'lost';

export async function executeRun(opts: ExecutorOptions, claimed: ClaimedRun): Promise<ExecutionEnd> {
  const { db, bus, workerId } = opts;
  const run = claimed;
  const runId = run.id;
  // A run dispatched while its row was being inserted: the row is there once this settles. A
  // failure ends the execution as lost (below); it is observed here at once so it never counts as
  // an unhandled rejection meanwhile.
  const rowStored = claimed.rowStored ?? Promise.resolve();
  rowStored.catch(() => {});
  const rowIsStored = () =>
    rowStored.then(
      () => true,
      () => false,
    );
  // A run claimed straight from the queue has an empty journal and only its run_queued event.
  const journal: JournalState =
    claimed.previousStatus === 'queued'
      ? { steps: new Map(), timers: new Map(), signals: new Map(), lastSeq: 1 }
      : await loadJournal(db, runId);
  // Values enter a run only through {{secrets.NAME}} in its definition: no reference, no lookup.
  const usesSecrets = JSON.stringify(run.definition).includes('{{secrets.');
  const secrets = (usesSecrets && (await opts.secretsFor?.(run.workspaceId))) || {};
  const redact = createRedactor(secrets);
  const writer = new RunWriter(db, bus, runId, run.workspaceId, journal.lastSeq, redact);
  writer.holdUntil(rowStored);
  let endExecution: (end: 'suspend' | 'lost') => void = () => {};
  const stopped = new Promise<'suspend' | 'lost'>((resolve) => {
    endExecution = resolve;
  });
  const state = new ExecutionState(opts.inMemoryWaitMs, () => endExecution('suspend'));
  rowStored.catch(() => endExecution('lost'));
  const emit = (type: string, data: Json, lazy = false) => {
    writer.append([{ type, nodeId: null, data }], undefined, { lazy }).catch(() => {});
  };
  const durableUsage = { seen: false };
  const durable = createJournalDurable({
    usageSeen: durableUsage,
    db,
    runId,
    workspaceId: run.workspaceId,
    journal,
    writer,
    state,
    catalog: opts.catalog,
    services: afterRowStored(opts.servicesFor?.(run.workspaceId) ?? noServices, rowStored),
    rowStored,
  });

  // Signals and cancellation can arrive while we hold the run.
  const checkForNews = async () => {
    const [row] = await db
      .select({ cancelRequested: runs.cancelRequested })
      .from(runs)
      .where(eq(runs.id, runId));
    if (row?.cancelRequested) state.cancel();
    for (const w of [...state.waits]) {
      if (w.kind !== 'signal') continue;
      const signal = await readSignal(db, runId, w.name);
      if (signal) {
        journal.signals.set(w.name, signal.payload);
        w.resolve(signal.payload);
      }
    }
  };
  const offWake = bus.onWake((id) => {
    if (id === runId) checkForNews().catch(() => {});
  });
  const heartbeat = setInterval(
    () => {
      rowStored
        .then(() => renewLease(db, runId, workerId, opts.leaseMs))
        .then((lease) => {
          if (!lease) endExecution('lost');
          else if (lease.cancelRequested) state.cancel();
        })
        .catch(() => {});
    },
    Math.max(50, Math.floor(opts.leaseMs / 3)),
  );

  try {
    // Lazy: stored with the run's next write, which follows within moments.
    if (claimed.previousStatus === 'queued') emit('run_started', { runId }, true);
    else emit('run_resumed', { runId, from: claimed.previousStatus }, true);
    if (run.cancelRequested) state.cancel();

    const interpreted = runWorkflow({
      definition: run.definition as WorkflowDefinition,
      inputs: run.inputs as Record<string, Json>,
      catalog: opts.catalog,
      durable,
      secrets,
    }).catch(internalFailure);
    const end = await Promise.race([interpreted, stopped]);
    state.end();

    if (end === 'lost') {
      state.abandon();
      return 'lost';
    }
    if (end === 'suspend') {
      const { signals, wakeAt } = state.blockedWaits();
      state.dropWaits();
      if (signals.length > 0)
        emit('paused', { runId, waitingFor: signals, wakeAt: wakeAt?.toISOString() ?? null });
      await writer.idle();
      if (!(await rowIsStored())) return 'lost';
      return (await suspendRun(db, runId, workerId, { signals, wakeAt })) ? 'suspended' : 'lost';
    }

    const outcome = end;
    if (!(await rowIsStored())) {
      state.abandon();
      return 'lost';
    }
    const remaining = await writer.takeRemaining();
    let stored: Awaited<ReturnType<typeof finishRun>>;
    try {
      // Totals are summed only when some step may have used a model (this execution saw usage, or an
      // earlier one might have).
      const totals = durableUsage.seen || claimed.previousStatus !== 'queued';
      stored = await finishRun(db, run, workerId, redact(outcome), remaining, totals);
    } catch (error) {
      remaining.settle(error);
      throw error;
    }
    if (!stored) {
      remaining.settle(new Error('lease lost'));
      return 'lost';
    }
    remaining.settle(undefined, { at: stored.at, added: [stored.finished] });
    bus.runFinished(runId, outcome.status, stored.run);
    return 'finished';
  } finally {
    state.end();
    clearInterval(heartbeat);
    offWake();
  }
}

/** Node services that write rows of the run (a review's inbox task) wait until the run's row is stored. */
function afterRowStored(services: NodeServices, rowStored: Promise<void>): NodeServices {
  const { openReview } = services;
  if (!openReview) return services;
  return {
    ...services,
    openReview: async (request) => {
      await rowStored;
      return openReview(request);
    },
  };
}

// Drives one claimed run: replays the interpreter against the run's journal (journaled steps return
// their stored result; new ones execute and are journaled), keeps the lease alive, and when every
// remaining branch waits for a signal or a distant timer, hands the run back to the database so a
// paused run holds no memory. Cancellation aborts in-flight activities and every pending wait.
import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { runs } from '@/db/schema';
import type { WorkflowDefinition } from '@/workflows/dsl/definition';
import { runWorkflow } from '@/workflows/interpreter';
import {
  type ActivityRequest,
  type Durable,
  type Json,
  RunCancelledError,
  type RunOutcome,
  StepError,
  type StepRecord,
} from '@/workflows/interpreter/types';
import { executeActivity, type RunnableSpec } from './activities';
import type { RunEventBus } from './event-bus';
import { ensureTimer, type JournalState, loadJournal, readSignal } from './journal';
import { type ClaimedRun, finishRun, renewLease, suspendRun } from './leases';
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
}

export type ExecutionEnd = 'finished' | 'suspended' | 'lost';

/** How long a node may run before its node_started event is stored on its own. */
const START_EVENT_FLUSH_MS = 25;

interface Wait {
  kind: 'signal' | 'timer';
  name: string;
  fireAt?: number;
  /** A blocked wait lets the run suspend; an in-memory one keeps it here. */
  blocked: boolean;
  resolve(value: Json | undefined): void;
  reject(error: unknown): void;
  timer?: NodeJS.Timeout;
}

export async function executeRun(opts: ExecutorOptions, claimed: ClaimedRun): Promise<ExecutionEnd> {
  const { db, bus, workerId } = opts;
  const run = claimed;
  const runId = run.id;
  // A run claimed straight from the queue has an empty journal and only its run_queued event.
  const journal: JournalState =
    claimed.previousStatus === 'queued'
      ? { steps: new Map(), timers: new Map(), signals: new Map(), lastSeq: 1 }
      : await loadJournal(db, runId);
  const writer = new RunWriter(db, bus, runId, run.workspaceId, journal.lastSeq);

  const runAbort = new AbortController();
  const waits = new Set<Wait>();
  let active = 0;
  let cancelled = false;
  let ended = false;
  let endExecution: (end: 'suspend' | 'lost') => void = () => {};
  const stopped = new Promise<'suspend' | 'lost'>((resolve) => {
    endExecution = resolve;
  });

  const cancel = () => {
    if (cancelled) return;
    cancelled = true;
    runAbort.abort(new RunCancelledError());
    for (const wait of waits) {
      if (wait.timer) clearTimeout(wait.timer);
      wait.reject(new RunCancelledError());
    }
    waits.clear();
  };
  const throwIfCancelled = () => {
    if (cancelled) throw new RunCancelledError();
  };

  // Quiescence: once nothing is executing and something waits beyond our patience, suspend. The
  // check runs after pending microtasks, when the interpreter has issued everything it can.
  let checkScheduled = false;
  const maybeSuspend = () => {
    if (checkScheduled || ended) return;
    checkScheduled = true;
    setImmediate(() => {
      checkScheduled = false;
      if (!ended && !cancelled && active === 0 && [...waits].some((w) => w.blocked)) endExecution('suspend');
    });
  };
  const track = async <T>(work: () => Promise<T>): Promise<T> => {
    active++;
    try {
      return await work();
    } finally {
      active--;
      maybeSuspend();
    }
  };
  const emit = (type: string, data: Json, nodeId?: string) => {
    writer.append([{ type, nodeId: nodeId ?? null, data }]).catch(() => {});
  };

  const wait = (kind: Wait['kind'], name: string, fireAt: number | undefined): Promise<Json | undefined> =>
    new Promise((resolve, reject) => {
      const remaining = fireAt === undefined ? Number.POSITIVE_INFINITY : fireAt - Date.now();
      const entry: Wait = {
        kind,
        name,
        fireAt,
        blocked: remaining > opts.inMemoryWaitMs,
        resolve: (value) => {
          if (entry.timer) clearTimeout(entry.timer);
          waits.delete(entry);
          resolve(value);
        },
        reject,
      };
      if (!entry.blocked) entry.timer = setTimeout(() => entry.resolve(undefined), Math.max(0, remaining));
      waits.add(entry);
      maybeSuspend();
    });

  const durable: Durable = {
    async activity(stepKey: string, request: ActivityRequest, activityOpts) {
      throwIfCancelled();
      const done = journal.steps.get(stepKey);
      if (done) {
        if (done.status === 'succeeded') return done.output;
        throw new StepError(done.error ?? { message: 'Step failed', code: 'node_error', retryable: false });
      }
      const pure = opts.catalog[request.nodeType]?.pure === true;
      return track(async () => {
        // Side effects only once everything before them is stored: a crash then re-runs at most the
        // step in flight, never one whose result was already used.
        if (!pure) await writer.idle();
        const startedAt = new Date();
        const startEvent = {
          type: request.attempt > 1 ? 'node_retry' : 'node_started',
          nodeId: request.nodeId,
          data: { nodeId: request.nodeId, nodeType: request.nodeType, stepKey, attempt: request.attempt },
        };
        let startStored = false;
        const flush = setTimeout(() => {
          startStored = true;
          writer.append([startEvent]).catch(() => {});
        }, START_EVENT_FLUSH_MS);
        let output: Json = null;
        let logs: string[] = [];
        let failure: StepError | undefined;
        try {
          ({ output, logs } = await executeActivity(
            {
              runId,
              workspaceId: run.workspaceId,
              catalog: opts.catalog,
              runSignal: runAbort.signal,
              emit: (t, d) => emit(t, d, request.nodeId),
            },
            stepKey,
            request,
            activityOpts.timeoutMs,
          ));
        } catch (error) {
          if (!(error instanceof StepError)) {
            clearTimeout(flush);
            throw error;
          }
          failure = error;
        }
        clearTimeout(flush);
        const finishedAt = new Date();
        const status = failure ? 'failed' : 'succeeded';
        const finishEvent = {
          type: 'node_finished',
          nodeId: request.nodeId,
          data: {
            nodeId: request.nodeId,
            nodeType: request.nodeType,
            stepKey,
            attempt: request.attempt,
            status,
            output: failure ? null : output,
            error: failure ? { ...failure.toData() } : null,
            elapsedMs: finishedAt.getTime() - startedAt.getTime(),
          },
        };
        const stored = writer.append(startStored ? [finishEvent] : [startEvent, finishEvent], {
          stepKey,
          nodeId: request.nodeId,
          nodeType: request.nodeType,
          attempt: request.attempt,
          status,
          input: request.config,
          output: failure ? null : output,
          error: failure?.toData() ?? null,
          logs,
          startedAt,
          finishedAt,
        });
        // A pure step's row may be stored after the run moves on (it is recomputed after a crash).
        if (pure) stored.catch(() => {});
        else await stored;
        journal.steps.set(stepKey, { status, output, error: failure?.toData() ?? null });
        if (failure) throw failure;
        return output;
      });
    },

    async record(stepKey: string, step: StepRecord) {
      throwIfCancelled();
      if (journal.steps.has(stepKey)) return;
      await track(async () => {
        const now = new Date();
        // Recorded outcomes are recomputed on replay, so the run need not wait for the row.
        writer
          .append(
            [
              {
                type: step.status === 'skipped' ? 'node_skipped' : 'node_finished',
                nodeId: step.nodeId,
                data: {
                  nodeId: step.nodeId,
                  nodeType: step.nodeType,
                  stepKey,
                  status: step.status,
                  output: step.output ?? null,
                  error: step.error ? { ...step.error } : null,
                },
              },
            ],
            {
              stepKey,
              nodeId: step.nodeId,
              nodeType: step.nodeType,
              attempt: 1,
              status: step.status,
              input: step.input ?? null,
              output: step.output ?? null,
              error: step.error ?? null,
              startedAt: now,
              finishedAt: now,
            },
          )
          .catch(() => {});
        journal.steps.set(stepKey, {
          status: step.status,
          output: step.output ?? null,
          error: step.error ?? null,
        });
      });
    },

    async sleep(stepKey: string, ms: number) {
      throwIfCancelled();
      let fireAt = journal.timers.get(stepKey);
      if (fireAt === undefined) {
        fireAt = await track(() =>
          ensureTimer(db, runId, run.workspaceId, stepKey, new Date(Date.now() + ms)),
        );
        journal.timers.set(stepKey, fireAt);
      }
      if (fireAt <= Date.now()) return;
      await wait('timer', stepKey, fireAt);
    },

    async waitForSignal<T extends Json>(name: string, timeoutMs?: number): Promise<T | undefined> {
      throwIfCancelled();
      if (journal.signals.has(name)) return journal.signals.get(name) as T;
      let fireAt: number | undefined;
      if (timeoutMs !== undefined) {
        const key = `deadline:${name}`;
        fireAt = journal.timers.get(key);
        if (fireAt === undefined) {
          fireAt = await track(() =>
            ensureTimer(db, runId, run.workspaceId, key, new Date(Date.now() + timeoutMs)),
          );
          journal.timers.set(key, fireAt);
        }
      }
      // The signal may have arrived after the journal was loaded.
      const fresh = await track(() => readSignal(db, runId, name));
      if (fresh) {
        journal.signals.set(name, fresh.payload);
        return fresh.payload as T;
      }
      if (fireAt !== undefined && fireAt <= Date.now()) return undefined;
      return (await wait('signal', name, fireAt)) as T | undefined;
    },
  };

  // Signals and cancellation can arrive while we hold the run.
  const checkForNews = async () => {
    const [row] = await db
      .select({ cancelRequested: runs.cancelRequested })
      .from(runs)
      .where(eq(runs.id, runId));
    if (row?.cancelRequested) cancel();
    for (const w of [...waits]) {
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
      renewLease(db, runId, workerId, opts.leaseMs)
        .then((lease) => {
          if (!lease) endExecution('lost');
          else if (lease.cancelRequested) cancel();
        })
        .catch(() => {});
    },
    Math.max(50, Math.floor(opts.leaseMs / 3)),
  );

  try {
    if (claimed.previousStatus === 'queued') emit('run_started', { runId });
    else emit('run_resumed', { runId, from: claimed.previousStatus });
    if (run.cancelRequested) cancel();

    const interpreted = runWorkflow({
      definition: run.definition as WorkflowDefinition,
      inputs: run.inputs as Record<string, Json>,
      catalog: opts.catalog,
      durable,
    }).catch(
      (error: unknown): RunOutcome => ({
        status: 'failed',
        outputs: {},
        error: {
          message: error instanceof Error ? error.message : String(error),
          code: 'internal',
          retryable: false,
        },
      }),
    );
    const end = await Promise.race([interpreted, stopped]);
    ended = true;

    if (end === 'lost') {
      runAbort.abort(new RunCancelledError());
      return 'lost';
    }
    if (end === 'suspend') {
      const blocked = [...waits].filter((w) => w.blocked);
      const signals = blocked.filter((w) => w.kind === 'signal').map((w) => w.name);
      const fireTimes = blocked.map((w) => w.fireAt).filter((t): t is number => t !== undefined);
      const wakeAt = fireTimes.length > 0 ? new Date(Math.min(...fireTimes)) : null;
      for (const w of waits) if (w.timer) clearTimeout(w.timer);
      waits.clear();
      if (signals.length > 0)
        emit('paused', { runId, waitingFor: signals, wakeAt: wakeAt?.toISOString() ?? null });
      await writer.idle();
      return (await suspendRun(db, runId, workerId, { signals, wakeAt })) ? 'suspended' : 'lost';
    }

    const outcome = end;
    const remaining = await writer.takeRemaining();
    let owned: boolean;
    try {
      owned = await finishRun(db, run, workerId, outcome, remaining);
    } catch (error) {
      remaining.settle(error);
      throw error;
    }
    remaining.settle(owned ? undefined : new Error('lease lost'));
    if (!owned) return 'lost';
    bus.runFinished(runId, outcome.status);
    return 'finished';
  } finally {
    ended = true;
    clearInterval(heartbeat);
    offWake();
  }
}

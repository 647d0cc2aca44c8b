// The Durable port on the embedded engine for one run: journaled steps return their stored result;
// new ones execute (activities), are recorded, or wait (timers, signals) through the execution
// state, and are written through the run's writer.
import type { Db } from '@/db/client';
import {
  type ActivityRequest,
  type Durable,
  type Json,
  StepError,
  type StepRecord,
} from '@/workflows/interpreter/types';
import type { NodeServices, TokenUsage } from '@/workflows/nodes/node-spec';
import { executeActivity } from './activities';
import type { ExecutionState } from './execution-state';
import { ensureTimer, type JournalState, readSignal } from './journal';
import type { EngineNodeSpec } from './run-executor';
import type { RunWriter } from './run-writer';

/** How long a node may run before its node_started event is stored on its own. */
const START_EVENT_FLUSH_MS = 25;

export interface JournalDurableDeps {
  db: Db;
  runId: string;
  workspaceId: string;
  journal: JournalState;
  writer: RunWriter;
  state: ExecutionState;
  catalog: Record<string, EngineNodeSpec>;
  services: NodeServices;
  /** Set once any step reports model usage. */
  usageSeen: { seen: boolean };
}

export function createJournalDurable(deps: JournalDurableDeps): Durable {
  const { db, runId, workspaceId, journal, writer, state } = deps;
  const emit = (type: string, data: Json, nodeId?: string) => {
    writer.append([{ type, nodeId: nodeId ?? null, data }]).catch(() => {});
  };
  return {
    async activity(stepKey: string, request: ActivityRequest, activityOpts) {
      state.throwIfCancelled();
      const done = journal.steps.get(stepKey);
      if (done) {
        if (done.status === 'succeeded') return done.output;
        throw new StepError(done.error ?? { message: 'Step failed', code: 'node_error', retryable: false });
      }
      const pure = deps.catalog[request.nodeType]?.pure === true;
      return state.track(async () => {
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
        const usage: TokenUsage[] = [];
        let failure: StepError | undefined;
        try {
          ({ output, logs } = await executeActivity(
            {
              runId,
              workspaceId,
              catalog: deps.catalog,
              runSignal: state.abortSignal,
              emit: (t, d) => emit(t, d, request.nodeId),
              reportUsage: (u) => {
                usage.push(u);
                deps.usageSeen.seen = true;
              },
              services: deps.services,
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
            usage: usage.length ? usage.map((u) => ({ ...u })) : null,
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
          usage,
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
      state.throwIfCancelled();
      if (journal.steps.has(stepKey)) return;
      await state.track(async () => {
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
      state.throwIfCancelled();
      let fireAt = journal.timers.get(stepKey);
      if (fireAt === undefined) {
        fireAt = await state.track(() =>
          ensureTimer(db, runId, workspaceId, stepKey, new Date(Date.now() + ms)),
        );
        journal.timers.set(stepKey, fireAt);
      }
      if (fireAt <= Date.now()) return;
      await state.wait('timer', stepKey, fireAt);
    },

    async waitForSignal<T extends Json>(name: string, timeoutMs?: number): Promise<T | undefined> {
      state.throwIfCancelled();
      if (journal.signals.has(name)) return journal.signals.get(name) as T;
      let fireAt: number | undefined;
      if (timeoutMs !== undefined) {
        const key = `deadline:${name}`;
        fireAt = journal.timers.get(key);
        if (fireAt === undefined) {
          fireAt = await state.track(() =>
            ensureTimer(db, runId, workspaceId, key, new Date(Date.now() + timeoutMs)),
          );
          journal.timers.set(key, fireAt);
        }
      }
      // The signal may have arrived after the journal was loaded.
      const fresh = await state.track(() => readSignal(db, runId, name));
      if (fresh) {
        journal.signals.set(name, fresh.payload);
        return fresh.payload as T;
      }
      if (fireAt !== undefined && fireAt <= Date.now()) return undefined;
      return (await state.wait('signal', name, fireAt)) as T | undefined;
    },
  };
}
